-- Two clients call one server: one on the server's node, twice; one across
-- a partition, once (its request in flight). The partition holds that
-- request: in the runs where it comes first, the request never arrives.
-- So a branch that starts with the partition does not cover a reversed
-- race whose first step is that request's delivery (the runs where the
-- other client's second request overtakes it), even though the partition
-- commutes with every step of the reversal. Split into parts, dfs counts
-- what it counts whole (before, the parts missed one such run).
local ls = lockstep

local function call(server, timeout)
  local ref = ls.make_ref()
  ls.send(server, { "x", ref, ls.self() })
  local m = ls.receive(function(m) return type(m) == "table" and m[1] == ref end, timeout)
  if not m then ls.abandon_ref(ref) end
  return m and m[2]
end

ls.test("a partition holds a request in flight", function()
  ls.cluster.start_nodes({ "a", "b" })
  local server = ls.spawn_on("b", function()
    for _ = 1, 2 do
      local m = ls.receive()
      ls.send(m[3], { m[2], "ok" })
    end
  end)
  ls.spawn_on("a", function() call(server, 5) end)
  ls.spawn_on("b", function()
    call(server, 20)
    call(server, 20)
  end)
  ls.spawn(function() ls.cluster.partition({ "a" }, { "b" }) end)
end)
