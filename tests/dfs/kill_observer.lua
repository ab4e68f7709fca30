-- A kill commutes with the sends to its victim (a message to an ended
-- process is dropped, as it would have been thrown away with the
-- mailbox), but it disables the victim's receives, which are what make
-- two sends to one mailbox race. So a sleeping kill stands for no
-- reversal of two sends to its victim: under it the messages are dropped,
-- and no run there takes them in the other order. Before that rule dfs
-- counted 5, 4 and 11 classes here where every interleaving counts 8, 6
-- and 13, and it proved the bug in kill_observer_bug.lua absent.
local ls = lockstep

ls.test("two messages to a process about to be killed", function()
  local server = ls.spawn(function()
    ls.receive()
    ls.receive()
  end)
  ls.spawn(function() ls.exit(server, "kill") end)
  ls.spawn(function() ls.send(server, "b") end)
  ls.send(server, "a")
end)

ls.test("a selective receive in a process about to be killed", function()
  local server = ls.spawn(function()
    ls.receive(function(m) return m ~= "skip" end)
  end)
  ls.spawn(function() ls.exit(server, "kill") end)
  ls.spawn(function() ls.send(server, "b") end)
  ls.send(server, "skip")
  ls.send(server, "a")
end)

ls.test("a poll in a process about to be killed", function()
  local server = ls.spawn(function()
    ls.receive(nil, 0)
    ls.receive()
  end)
  ls.spawn(function() ls.exit(server, "kill") end)
  ls.spawn(function() ls.send(server, 2) end)
  ls.send(server, 1)
end)
