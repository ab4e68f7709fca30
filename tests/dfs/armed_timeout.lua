-- A receive arms its timeout only when it has to wait: had its message
-- been there already, no timer is made. Under quiescent timers that timer
-- cannot fire before the message comes (something can still run), so
-- whether the sender's step came before the root's second spawn (which
-- ran the root on to its receive) or after it makes no difference to
-- anything, and it is one class: the timer the root arms next must be
-- named alike either way (tests/scenarios/dfs_cli_test.cc: dfs and every
-- interleaving count 1 class; they counted 2 when events were named by
-- how many things their creator had made before).
local ls = lockstep

ls.test("a timeout armed or not", function()
  local me = ls.self()
  ls.spawn(function() ls.send(me, "a") end)
  ls.spawn(function() end)
  ls.receive(function(m) return m == "a" end, 10)  -- waits, or finds it at once
  ls.receive(function(m) return m == "b" end, 50)  -- times out
end)
