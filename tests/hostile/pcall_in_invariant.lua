-- hostile: catch the timeout with pcall, in a loop, inside an invariant
-- args: --iter-timeout 300
-- exit: 1
-- expect: timeout
local ls = lockstep
ls.test("invariant", function()
  ls.invariant("spins", function()
    while true do pcall(function() while true do end end) end
  end)
  ls.sleep(1)
end)
