-- The SPEC's example: a lost update through a genserver.
--
-- Each client reads the counter with one call and writes value + 1 with
-- another; between the two calls the other client can do the same. Both
-- PCT and POS find it within a few iterations. The fixed twin
-- (genserver_counter_fixed.lua) adds inside the server, in one call.
local ls = lockstep

local counter_mod = {
  init = function(n) return "ok", n end,
  handle_call = function(req, from, n)
    if req == "value" then return "reply", n, n end
    if req[1] == "set" then return "reply", "ok", req[2] end
  end,
}

ls.test("two clients adding 1 each end at 2", { strategy = "pos", iterations = 100 }, function()
  local counter = ls.genserver.start(counter_mod, 0, { name = "counter" })
  local parent = ls.self()
  for _ = 1, 2 do
    ls.spawn(function()
      local v = ls.genserver.call(counter, "value")
      ls.genserver.call(counter, { "set", v + 1 })
      ls.send(parent, "done")
    end)
  end
  for _ = 1, 2 do ls.receive(function(m) return m == "done" end) end
  local final = ls.genserver.call(counter, "value")
  if final ~= 2 then error("lost update; counter is " .. final) end
end)
