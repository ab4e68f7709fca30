-- For `lockstep view` (tests/scenarios/view_cli_test.cc): processes on
-- nodes with long names (their lane headers must not overlap), a message
-- to a name nobody holds (dropped on delivery: a cross on the sender's
-- lane), messages held by a partition that are never received (open-ended
-- marks, one to a name), and timers that fire (labelled).
local ls = lockstep
ls.test("held, dropped and timed", function()
  ls.cluster.start_nodes({ "participant_a", "participant_b" })
  local me = ls.self()
  local b = ls.spawn_on("participant_b", function()
    ls.label("participant_with_a_long_name")
    ls.receive(200)
    ls.send(me, "done")
  end)
  ls.spawn_on("participant_a", function()
    ls.label("participant_with_a_long_name_too")
    ls.send({ "nobody", "participant_b" }, "to a name")
    ls.sleep(10)
    ls.cluster.partition({ "participant_a" }, { "participant_b" })
    ls.send(b, "held")
    ls.send({ "nobody", "participant_b" }, "held to a name")
    local lease = ls.send_after(ls.self(), "lease expired", 100)
    ls.receive()
    ls.send(me, "done")
  end)
  ls.receive(); ls.receive()
  ls.cluster.heal()
  assert(false, "end")
end)
