-- wrk script for the soak: searches as 150 users on three devices, every 10th request a click event; each
-- connection waits the first script argument's milliseconds after every answer (0: flat out), which holds a rate.
--   wrk -t2 -c16 -d600s -s load.lua http://127.0.0.1:9250 -- 40

local counter = 0
local delay_ms = 0
local words = {"black", "jacket", "shoes", "bag", "lamp", "kettle", "headphones", "waterproof"}
local devices = {"mobile", "desktop", "tablet"}

function init(args)
   delay_ms = tonumber(args[1]) or 0
end

function delay()
   return delay_ms
end

function request()
   counter = counter + 1
   local user = "user-" .. (counter * 7919 % 150)
   if counter % 10 == 0 then
      local body = string.format(
         '{"action_name":"click","client_id":"%s","event_attributes":{"object":{"object_id":"sku-%05d"},"position":{"ordinal":%d}}}',
         user, counter % 600 + 1, counter % 10)
      return wrk.format("POST", "/_rerank/events", {["Content-Type"] = "application/json"}, body)
   end
   local body = string.format('{"query":{"match":{"title":"%s"}},"size":10}', words[counter % #words + 1])
   return wrk.format("POST", "/products/_search", {
      ["Content-Type"] = "application/json", ["X-Rerank-User"] = user, ["X-Rerank-Device"] = devices[counter % 3 + 1],
   }, body)
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'WRK_JSON {"requests": %d, "duration_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, ' ..
      '"timeout": %d}, "latency_us": {"p50": %d, "p99": %d, "max": %d}}\n',
      summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(99), latency.max))
end
