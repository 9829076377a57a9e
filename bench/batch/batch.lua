-- wrk script: POST /api/batch with BENCH_BATCH new datasets every request (per-thread counter).
local counter = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  token = os.getenv("BENCH_KEY")
  run = os.getenv("BENCH_RUN") or "r"
  size = tonumber(os.getenv("BENCH_BATCH") or "500")
end

function request()
  local objects = {}
  for i = 1, size do
    counter = counter + 1
    objects[i] = string.format(
      '{"manifest": {"apiVersion": "datapilot.io/v1alpha1", "kind": "Dataset", "metadata": {"name": "%s-t%d-%d", "labels": {"bench": "true"}}, "spec": {"owner": "bench@example.com", "format": "csv"}}}',
      run, thread_id, counter)
  end
  return wrk.format("POST", "/api/batch", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, '{"objects": [' .. table.concat(objects, ", ") .. ']}')
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors_status=%d duration_us=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.errors.status, summary.duration,
    latency:percentile(50), latency:percentile(99)))
end
