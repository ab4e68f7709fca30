-- hostile: print addresses (trace bytes would differ between runs and workers)
-- exit: 1
-- expect: function: builtin table: #
local ls = lockstep
ls.test("addresses", function()
  error(tostring(print) .. " " .. tostring({}))
end)
