-- Fixed twin of genserver_counter.lua: the increment happens inside the
-- server, in one call, so no update is lost.
local ls = lockstep

local counter_mod = {
  init = function(n) return "ok", n end,
  handle_call = function(req, from, n)
    if req == "value" then return "reply", n, n end
    if req[1] == "add" then return "reply", n + req[2], n + req[2] end
  end,
}

ls.test("two clients adding 1 each end at 2", { strategy = "pos", iterations = 2000 }, function()
  local counter = ls.genserver.start(counter_mod, 0, { name = "counter" })
  local parent = ls.self()
  for _ = 1, 2 do
    ls.spawn(function()
      ls.genserver.call(counter, { "add", 1 })
      ls.send(parent, "done")
    end)
  end
  for _ = 1, 2 do ls.receive(function(m) return m == "done" end) end
  local final = ls.genserver.call(counter, "value")
  if final ~= 2 then error("lost update; counter is " .. final) end
end)
