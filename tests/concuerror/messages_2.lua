-- Port of Concuerror's dpor_tests/src/messages_2.erl: the root sends a and
-- special to B while C sends c to B. as messages_1, but when B did not see special at once, the
-- next message it takes must be a (it is c in one schedule: a crash).
-- The root awaits each child's DOWN (see independent_receivers.lua).
-- concuerror: 3 interleavings, 1 errors
local ls = lockstep

ls.test("messages_2", function()
  local b, rb = ls.spawn_monitor(function()
    local special = ls.receive(function(m) return m == "special" end, 0) ~= nil
    if not special then ls.receive(function(m) return m == "special" end) end
    if special then
      ls.receive(function(m) return m == "a" end)
      ls.receive(function(m) return m == "c" end)
    else
      assert(ls.receive() == "a", "expected a")
      ls.receive()
    end
  end)
  local _, rc = ls.spawn_monitor(function() ls.send(b, "c") end)
  ls.send(b, "a")
  ls.send(b, "special")
  for _, ref in ipairs({ rb, rc }) do
    ls.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == ref end)
  end
end)
