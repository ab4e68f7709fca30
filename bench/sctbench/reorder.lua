-- SCTBench's reorder_N (CS/reorder_X_bad), as processes over two atomic
-- cells.
--
-- N - 1 setters each write a := 1 then b := -1; one checker reads a then
-- b and fails unless it saw (0, 0) or (1, -1). The bug needs the checker
-- to read between one setter's two writes while no other setter has
-- written b: the more setters, the rarer that is for a random walk, and
-- PCT needs depth 3 (two priority changes) to find it.
--
-- Tests reorder_3 ... reorder_100 (N counts every process but the root,
-- which starts them, setters first, and waits for them).
local ls = lockstep

for _, n in ipairs({ 3, 4, 5, 10, 20, 50, 100 }) do
  ls.test("reorder_" .. n, { iterations = 100000, max_steps = 100000 }, function()
    local cells = ls.atomics.new(2)
    local root = ls.self()
    for _ = 1, n - 1 do
      ls.spawn(function()
        ls.atomics.put(cells, 1, 1)
        ls.atomics.put(cells, 2, -1)
        ls.send(root, "done")
      end)
    end
    ls.spawn(function()
      local a = ls.atomics.get(cells, 1)
      local b = ls.atomics.get(cells, 2)
      if not ((a == 0 and b == 0) or (a == 1 and b == -1)) then
        error(string.format("the checker saw a = %d, b = %d", a, b))
      end
      ls.send(root, "done")
    end)
    for _ = 1, n do ls.receive() end
  end)
end
