-- Fixed twin of agent_update.lua: get_and_update reads and writes in one call.
local ls = lockstep

ls.test("two increments through an agent end at 2", { strategy = "pos", iterations = 2000 }, function()
  local a = ls.agent.start(function() return 0 end)
  local parent = ls.self()
  for _ = 1, 2 do
    ls.spawn(function()
      ls.agent.get_and_update(a, function(s) return s, s + 1 end)
      ls.send(parent, "done")
    end)
  end
  ls.receive(); ls.receive()
  local final = ls.agent.get(a, function(s) return s end)
  if final ~= 2 then error("lost update; the agent holds " .. final) end
end)
