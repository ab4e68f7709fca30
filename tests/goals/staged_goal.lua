-- A goal only a rare interleaving meets (as bench/goal_guidance.lua): a
-- writer sets cells 1..5 in order; an observer reads them in order and
-- the goal is met when each read lands between the writer's write of
-- that cell and the next. "stages" names each step of the way as a goal
-- of its own, which rff and surw seek as coverage; "final only" has the
-- last goal alone.
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
