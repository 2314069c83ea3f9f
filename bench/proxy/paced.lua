-- wrk script: shoppers.lua's requests, with every connection waiting after each answer before its next request,
-- so that 16 connections load the engine below its capacity and the latency a proxy adds is not hidden in the
-- engine's queue. The waits are drawn from an exponential distribution of mean THINK milliseconds: with a fixed
-- wait the connections stay in step and every search arrives in a burst of 16, which a proxy serves one after
-- the other; random waits make the arrivals close to a Poisson stream, as from many independent shoppers.
--   wrk -t2 -c16 -d6s --latency -s paced.lua http://127.0.0.1:9200/products/_search -- TEMPLATE WORDS DEVICES USERS THINK

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "shoppers.lua")

local think = 0
local shoppers_init = init

function init(args)
   shoppers_init(args)
   think = assert(tonumber(args[5]), "THINK (milliseconds) must be a number")
end

function delay()
   return -think * math.log(1 - math.random())
end
