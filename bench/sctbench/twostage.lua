-- SCTBench's twostage_N (CS/twostage_X_bad), as processes over two atomic
-- cells.
--
-- N - 1 writers each run two stages: data1 := 1, then data2 := data1 + 1.
-- One reader reads data1 and, if it is set, data2, and fails unless
-- data2 = data1 + 1. The bug needs the reader to run between one writer's
-- stages while no writer has finished its second: rare for a random walk
-- with many writers (the writers' locks in the C original only make each
-- stage atomic, which each single atomic step here already is).
--
-- Tests twostage_3 ... twostage_100 (N counts every process but the root).
local ls = lockstep

for _, n in ipairs({ 3, 5, 10, 20, 50, 99, 100 }) do
  ls.test("twostage_" .. n, { iterations = 100000, max_steps = 100000 }, function()
    local data = ls.atomics.new(2)
    local root = ls.self()
    for _ = 1, n - 1 do
      ls.spawn(function()
        ls.atomics.put(data, 1, 1)
        local d1 = ls.atomics.get(data, 1)
        ls.atomics.put(data, 2, d1 + 1)
        ls.send(root, "done")
      end)
    end
    ls.spawn(function()
      local t1 = ls.atomics.get(data, 1)
      if t1 ~= 0 then
        local t2 = ls.atomics.get(data, 2)
        if t2 ~= t1 + 1 then error(string.format("the reader saw data1 = %d, data2 = %d", t1, t2)) end
      end
      ls.send(root, "done")
    end)
    for _ = 1, n do ls.receive() end
  end)
end
