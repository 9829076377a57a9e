-- wrk script: POST /api/datasets with a new name every request (per-thread counter).
local counter = 0
-- thread_id is a global set per thread by setup()
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  token = os.getenv("BENCH_KEY")
  run = os.getenv("BENCH_RUN") or "r"
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"metadata": {"name": "%s-t%d-%d", "labels": {"bench": "true"}}, "spec": {"owner": "bench@example.com", "format": "csv"}}',
    run, thread_id, counter)
  return wrk.format("POST", "/api/datasets", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors_status=%d duration_us=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.errors.status, summary.duration,
    latency:percentile(50), latency:percentile(99)))
end
