-- goal-outside-test: a goal in a helper outside every test's function.
-- Line 7 is flagged; the goal on line 13, in a function defined inside the
-- test, is not.
local ls = lockstep

local function retry(n)
  ls.reachable("the client retries")
  return n + 1
end

ls.test("retries", function()
  local function inner()
    ls.sometimes("an inner goal", true)
  end
  inner()
  retry(1)
end)
