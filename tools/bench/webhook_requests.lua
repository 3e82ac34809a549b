-- wrk script of the webhook benchmarks: POSTs pre-generated signed Daily
-- webhooks (lines "<timestamp>\t<signature>\t<body>" written by
-- webhook_bench_tool), each request a different one. Thread k of n sends
-- lines k, k+n, k+2n, ...; a thread that reaches the end starts again (then
-- requests repeat: "wrapped" in the result counts those restarts).
--
--   WEBHOOK_REQUESTS=file [WEBHOOK_PATH=/v1/daily/webhook] \
--     wrk -t2 -c32 -d10s -s webhook_requests.lua http://127.0.0.1:PORT -- 2
-- (the argument after "--" is the thread count, the same as -t).
-- Prints one line "RESULT key=value ..." at the end.

local file = os.getenv("WEBHOOK_REQUESTS")
local path = os.getenv("WEBHOOK_PATH") or "/v1/daily/webhook"
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_index", #threads)
end

function init(args)
  local thread_count = tonumber(args[1] or "1")
  requests_ = {}
  local line_number = 0
  for line in io.lines(file) do
    line_number = line_number + 1
    if (line_number - thread_index) % thread_count == 0 then
      local timestamp, signature, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      requests_[#requests_ + 1] = wrk.format("POST", path, {
        ["Content-Type"] = "application/json",
        ["X-Webhook-Timestamp"] = timestamp,
        ["X-Webhook-Signature"] = signature,
      }, body)
    end
  end
  if #requests_ == 0 then
    error("no requests for thread " .. thread_index .. " in " .. tostring(file))
  end
  next_ = 0
  wrapped = 0
end

function request()
  next_ = next_ + 1
  if next_ > #requests_ then
    next_ = 1
    wrapped = wrapped + 1
  end
  return requests_[next_]
end

function done(summary, latency, requests)
  local total_wrapped = 0
  for _, thread in ipairs(threads) do
    total_wrapped = total_wrapped + (thread:get("wrapped") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f " ..
    "max_ms=%.2f non2xx=%d connect_err=%d read_err=%d write_err=%d " ..
    "timeouts=%d wrapped=%d\n",
    summary.requests, summary.duration,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, errors.status, errors.connect, errors.read,
    errors.write, errors.timeout, total_wrapped))
end
