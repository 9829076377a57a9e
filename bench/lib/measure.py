# measure.py OUT ERR CMD...: runs CMD with stdin from /dev/null and its output in OUT and ERR;
# prints "wall_seconds peak_rss_kib exit_status". Wall time on a monotonic clock (GNU time's %e
# follows the wall clock, which NTP can step); peak RSS from getrusage(RUSAGE_CHILDREN) of a
# process that has run only this one child.
import resource, subprocess, sys, time
out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(out, "wb") as o, open(err, "wb") as e:
    t0 = time.perf_counter()
    rc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=o, stderr=e).returncode
    wall = time.perf_counter() - t0
print("%.4f %d %d" % (wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc))
