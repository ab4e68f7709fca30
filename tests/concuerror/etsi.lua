-- Port of Concuerror's dpor_tests/src/etsi.erl: three processes in a ring,
-- each reading its key and writing one of the other two; all then block.
-- concuerror: 7 interleavings, 7 errors
local ls = lockstep

ls.test("etsi", function()
  local t = ls.ets.new("table", { access = "public" })
  ls.ets.insert(t, { "x", 0 })
  ls.ets.insert(t, { "y", 0 })
  ls.ets.insert(t, { "z", 0 })
  local function fun_abc(a, b, c)
    if ls.ets.lookup(t, a)[1][2] == 0 then ls.ets.insert(t, { b, 1 }) else ls.ets.insert(t, { c, 0 }) end
    ls.receive()
  end
  ls.spawn(fun_abc, "x", "y", "z")
  ls.spawn(fun_abc, "y", "z", "x")
  ls.spawn(fun_abc, "z", "x", "y")
  ls.receive()
end)
