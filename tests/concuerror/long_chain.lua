-- Port of Concuerror's dpor_tests/src/long_chain.erl: a chain of
-- conditional writes x -> y -> a -> b -> c -> z, with two readers at the end.
-- concuerror: 20 interleavings, 20 errors
local ls = lockstep

ls.test("long_chain", function()
  local t = ls.ets.new("table", { access = "public" })
  for _, k in ipairs({ "x", "y", "z", "a", "b", "c", "w" }) do ls.ets.insert(t, { k, 0 }) end
  local function fun_ab(i, a, b, what)
    ls.ets.insert(t, { "cover" .. i .. "a" })
    local v = ls.ets.lookup(t, a)[1][2]
    ls.ets.insert(t, { "cover" .. i .. "b" })
    if v == 1 then
      if what == "write" then ls.ets.insert(t, { b, 1 }) else ls.ets.lookup(t, b) end
    end
  end
  ls.spawn(function()
    ls.ets.insert(t, { "x", 1 })
    ls.ets.insert(t, { "w", 1 })
  end)
  ls.spawn(fun_ab, 1, "x", "y", "write")
  ls.spawn(fun_ab, 2, "y", "a", "write")
  ls.spawn(fun_ab, 3, "a", "b", "write")
  ls.spawn(fun_ab, 4, "b", "c", "write")
  ls.spawn(fun_ab, 5, "c", "z", "write")
  ls.spawn(fun_ab, 6, "a", "w", "read")
  ls.spawn(fun_ab, 7, "z", "w", "read")
  ls.receive()
end)
