-- A lost update through an agent: get, then update.
--
-- Each client reads the agent's value with get and writes value + 1 with
-- update: two calls, with room for the other client in between. The fixed
-- twin (agent_update_fixed.lua) uses get_and_update, one call.
local ls = lockstep

ls.test("two increments through an agent end at 2", { strategy = "pos", iterations = 200 }, function()
  local a = ls.agent.start(function() return 0 end)
  local parent = ls.self()
  for _ = 1, 2 do
    ls.spawn(function()
      local v = ls.agent.get(a, function(s) return s end)
      ls.agent.update(a, function() return v + 1 end)
      ls.send(parent, "done")
    end)
  end
  ls.receive(); ls.receive()
  local final = ls.agent.get(a, function(s) return s end)
  if final ~= 2 then error("lost update; the agent holds " .. final) end
end)
