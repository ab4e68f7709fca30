-- hostile: C1 controls (as UTF-8 and as raw bytes) and newlines in a test name, a log and an error, to fake a summary line
-- args: --strategy random -v
-- exit: 1
-- expect: \xc2\x9b2J
-- expect: \x9d0;pwned
-- expect: \nlockstep: 1 test, 1 passed
local ls = lockstep
ls.test("c1\nlockstep: 1 test, 1 passed", function()
  ls.log("\xc2\x9b2J cleared\nlockstep: 1 test, 1 passed")
  error("\x9d0;pwned\7 title\nlockstep: 1 test, 1 passed")
end)
