-- The bug dfs missed before a sleeping kill stopped standing for the
-- reversal of two sends to its victim (tests/dfs/kill_observer.lua): the
-- server is killed at some point, and fails if it takes "b" before "a".
-- Its twin without the bug is the first test of kill_observer.lua.
local ls = lockstep

ls.test("a server killed while two clients send to it", function()
  local server = ls.spawn(function()
    if ls.receive() == "b" then error("took b first") end
    ls.receive()
  end)
  ls.spawn(function() ls.exit(server, "kill") end)
  ls.spawn(function() ls.send(server, "a") end)
  ls.spawn(function() ls.send(server, "b") end)
end)
