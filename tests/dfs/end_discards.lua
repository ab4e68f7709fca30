-- A process's end and a message to it commute: the message is lost either
-- way (queued, then thrown away with the mailbox; or sent to a process
-- that is gone), and no class tells the two orders apart. Sleep sets keep
-- either asleep through the other (tests/scenarios/dfs_cli_test.cc).
local ls = lockstep

-- Two processes that each send to the other by name, if it is still
-- registered, and poll their own mailbox, twice (the chatter of
-- scenarios/noisy_race.lua): one may end while the other still sends.
ls.test("chatters end while the other sends", function()
  local function chatter(peer_name)
    for i = 1, 2 do
      local peer = ls.whereis(peer_name)
      if peer then ls.send(peer, i) end
      ls.receive(nil, 0)
    end
  end
  ls.spawn(function() ls.register("ping", ls.self()); chatter("pong") end)
  ls.spawn(function() ls.register("pong", ls.self()); chatter("ping") end)
end)

-- A server that polls once and ends, watched by a monitor, while a
-- client sends to it: the end races with the monitor, not with the
-- message it throws away.
ls.test("an end watched while messages come", function()
  local server = ls.spawn(function() ls.receive(nil, 0) end)
  ls.spawn(function()
    ls.monitor(server)
    ls.receive()
  end)
  ls.spawn(function() ls.send(server, 1) end)
end)

-- A registered server that ends while a client sends to it by pid and
-- another looks its name up.
ls.test("an end, a message and a lookup", function()
  local server = ls.spawn(function() ls.register("server", ls.self()) end)
  ls.spawn(function() ls.send(server, "hello") end)
  ls.spawn(function() ls.whereis("server") end)
end)
