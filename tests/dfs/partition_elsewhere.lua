-- A partition races only with what crosses the way it cuts: a message from
-- "main" to "a" and a cut between "a" and "b" commute (one class), while a
-- cut between "main" and "a" decides whether the message gets through
-- (three: the cut before the send, between the send and its delivery,
-- after the delivery). tests/scenarios/dfs_cli_test.cc counts both against every
-- interleaving (--dpor none).
local ls = lockstep

local function case(name, group_a, group_b)
  ls.test(name, function()
    ls.cluster.start_nodes({ "a", "b" })
    local receiver = ls.spawn_on("a", function() ls.receive(nil, 10) end)
    ls.spawn(function() ls.cluster.partition(group_a, group_b) end)
    ls.send(receiver, "hello")
  end)
end

case("a cut elsewhere", { "a" }, { "b" })
case("a cut on the way", { "main" }, { "a" })
