-- A receiver waits for "go", then polls for "a" and for "b"
-- (ls.receive(match, 0) returns nil when no such message is there yet);
-- two other processes send "a" and "b". Each poll races with the send its
-- pattern takes and with no other: a poll that found nothing would have
-- taken the message of a send that came first only if its pattern takes
-- it. 4 classes (each poll before or after its send), as running every
-- interleaving finds.
local ls = lockstep

ls.test("a poll races only with the sends it would take", function()
  local receiver = ls.spawn(function()
    ls.receive(function(m) return m == "go" end)
    ls.receive(function(m) return m == "a" end, 0)
    ls.receive(function(m) return m == "b" end, 0)
  end)
  ls.spawn(function() ls.send(receiver, "a") end)
  ls.spawn(function() ls.send(receiver, "b") end)
  ls.send(receiver, "go")
  ls.sleep(1)
end)
