-- wrk script: every request is another shopper's search. It draws a user (X-Rerank-User, X-Rerank-Session), a
-- device (X-Rerank-Device) and a query word, and POSTs the body template with the word in it; it reports the run
-- as one JSON line (wrk_json.lua).
--   wrk -t2 -c16 -d8s --latency -s shoppers.lua http://127.0.0.1:9200/products/_search -- TEMPLATE WORDS DEVICES USERS
-- TEMPLATE: the search body, @WORD@ where the word goes; WORDS, DEVICES: comma-separated (scripts/shoppers.py
-- words, devices); USERS: users "visitor-1" to "visitor-USERS". Thread n draws from seed n, so threads differ
-- and every run of a target sends the same sequence.

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "wrk_json.lua")

local threads = 0

function setup(thread)
   threads = threads + 1
   thread:set("seed", threads)
end

local bodies, devices, users = {}, {}, 0

function init(args)
   math.randomseed(seed)
   for word in args[2]:gmatch("[^,]+") do
      bodies[#bodies + 1] = (args[1]:gsub("@WORD@", word))
   end
   for device in args[3]:gmatch("[^,]+") do
      devices[#devices + 1] = device
   end
   users = assert(tonumber(args[4]), "USERS must be a number")
end

function request()
   local user = "visitor-" .. math.random(users)
   return wrk.format("POST", nil, {
      ["Content-Type"] = "application/json",
      ["X-Rerank-User"] = user,
      ["X-Rerank-Session"] = user .. "-s",
      ["X-Rerank-Device"] = devices[math.random(#devices)],
   }, bodies[math.random(#bodies)])
end
