-- Messages that meet in a mailbox whose owner waits in a receive: two sends
-- commute when that receive takes one of the messages and not the other
-- (it takes the one it matches in either order, and the other stays behind
-- what was queued before), and a demonitor that flushes its DOWN commutes
-- with a send (the flush takes out nothing a send queues). Sleep sets keep
-- either asleep through the other (tests/scenarios/dfs_cli_test.cc).
local ls = lockstep

-- A server that calls a worker and waits for its reply while a client
-- sends it a request: the reply and the request meet in the server's
-- mailbox, and only the reply is taken by the receive that waits. The
-- worker reads a table the client writes: two classes.
ls.test("a call's reply and a request meet a waiting receive", function()
  local t = ls.ets.new("t", { access = "public" })
  local worker = ls.spawn(function()
    local m = ls.receive()
    ls.ets.lookup(t, "k")
    ls.send(m[2], { m[1], "done" })
  end)
  local server = ls.spawn(function()
    local ref = ls.make_ref()
    ls.send(worker, { ref, ls.self() })
    ls.receive(function(m) return m[1] == ref end)
    ls.receive()
  end)
  ls.spawn(function()
    ls.ets.insert(t, { "k" })
    ls.send(server, { "request" })
  end)
end)

-- A process that stops watching a peer, flushing its DOWN, while another
-- sends it a message; the peer may end before or after.
ls.test("a demonitor's flush and a message", function()
  local peer = ls.spawn(function() ls.receive(nil, 0) end)
  local watcher = ls.spawn(function()
    local ref = ls.monitor(peer)
    ls.demonitor(ref, { flush = true })
    ls.receive()
  end)
  ls.spawn(function() ls.send(watcher, "hello") end)
end)
