-- shared-local: a process on another node (and an rpc's function) share
-- `n` with the root, a race the scheduler never sees. Lines 9 and 12 are flagged.
local ls = lockstep

ls.test("counting on a node", function()
  ls.cluster.start_nodes({ "b" })
  local n = 0
  ls.spawn_on("b", function()
    n = n + 1
  end)
  ls.rpc.call("b", function()
    n = n + 1
  end)
  ls.sleep(10)
  assert(n >= 0)
end)
