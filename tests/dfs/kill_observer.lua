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

-- A process's own steps write its control state too (a send, a table
-- read): they end nothing. Taken for a kill of the process the worker
-- sends to, a table read judged wrongly which sleepers cover a reversal,
-- and 2 of these 30 classes were lost.
ls.test("a process's own steps end nothing", function()
  local t = ls.ets.new("t", { access = "public" })
  ls.spawn(function()
    local peers = { ls.self() }
    peers[2] = ls.spawn(function() pcall(ls.link, peers[1]) end)
    peers[3] = ls.spawn(function() pcall(ls.link, peers[1]); ls.ets.lookup(t, "k") end)
    ls.send(peers[3], 11)
  end)
end)
