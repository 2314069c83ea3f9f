-- wrk script: POSTs one search body, read from the file named by the first script argument, and reports the run
-- as one JSON line (wrk_json.lua).
--   wrk -t1 -c8 -d8s --latency -s post.lua http://127.0.0.1:9200/products/_search -- body.json

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "wrk_json.lua")

function init(args)
   local file = assert(io.open(args[1], "rb"), "cannot open body file " .. tostring(args[1]))
   wrk.body = file:read("*a")
   file:close()
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
end
