-- hostile: the file's top level never returns
-- args: --iter-timeout 300
-- exit: 3
-- expect: loading timed out (the top level ran past iter_timeout)
while true do pcall(function() while true do end end) end
lockstep.test("never declared", function() end)
