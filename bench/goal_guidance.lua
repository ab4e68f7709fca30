-- A goal only a rare interleaving meets, for bench/goal_guidance.sh: a
-- writer sets cells 1..5 in order; an observer reads them in order and
-- the goal is met when each of its reads lands between the writer's
-- write of that cell and the next (it sees every cell just set, the next
-- not yet). "stages" names each step of the way as a goal of its own,
-- which the learning strategies treat as coverage to seek; "final only"
-- has the last goal alone.
local ls = lockstep

local function scenario(stages)
  return function()
    local a = ls.atomics.new(6)
    ls.spawn(function()
      for i = 1, 5 do ls.atomics.put(a, i, 1) end
    end)
    ls.spawn(function()
      for i = 1, 5 do
        if ls.atomics.get(a, i) ~= 1 or ls.atomics.get(a, i + 1) ~= 0 then return end
        if stages then ls.reachable("stage " .. i) end
      end
      ls.reachable("in step all the way")
    end)
    ls.sleep(10)  -- the root waits until both are done
  end
end

ls.test("stages", { strategy = "rff", iterations = 20000 }, scenario(true))
ls.test("final only", { strategy = "rff", iterations = 20000 }, scenario(false))
