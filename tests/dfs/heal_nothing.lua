-- A heal (or a partition) races only with what crosses a way it changes:
-- a heal of everything when nothing is cut, or when only "a" and "b" are
-- cut apart, commutes with a message from "main" to "a" (one class), while
-- one that lifts a cut between "main" and "a" decides when the message
-- gets through. tests/scenarios/dfs_cli_test.cc counts each against every
-- interleaving (--dpor none).
local ls = lockstep

local function case(name, cut)
  ls.test(name, function()
    ls.cluster.start_nodes({ "a", "b" })
    if cut then ls.cluster.partition(cut[1], cut[2]) end
    local receiver = ls.spawn_on("a", function() ls.receive() end)
    ls.spawn(function() ls.cluster.heal() end)
    ls.send(receiver, "hello")
  end)
end

case("a heal of nothing cut", nil)
case("a heal of a cut elsewhere", { { "a" }, { "b" } })
case("a heal of the cut on the way", { { "main" }, { "a" } })
