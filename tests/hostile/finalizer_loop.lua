-- hostile: loop for ever in a __gc finalizer (Lua runs finalizers with hooks off)
-- exit: 1
-- expect: setmetatable: __gc finalizers are not supported
local ls = lockstep
ls.test("finalizer", function()
  setmetatable({}, { __gc = function() while true do end end })
  collectgarbage()
end)
