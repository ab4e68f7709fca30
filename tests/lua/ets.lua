-- Assert-style tests of lockstep.ets, run by lua_runtime_test.cc.
local ls = lockstep
local ets = ls.ets

ls.test("set: insert replaces, lookup copies, delete, take, member", function()
  local t = ets.new("t")
  assert(ets.insert(t, { "a", 1 }) == true)
  ets.insert(t, { "a", 2 })
  local rows = ets.lookup(t, "a")
  assert(#rows == 1 and rows[1][2] == 2)
  rows[1][2] = 99
  assert(ets.lookup(t, "a")[1][2] == 2, "lookup returns copies")
  assert(ets.member(t, "a") and not ets.member(t, "b"))
  assert(#ets.lookup(t, "b") == 0)
  ets.insert(t, { "b", 3 })
  assert(ets.info(t, "size") == 2)
  local taken = ets.take(t, "b")
  assert(#taken == 1 and taken[1][2] == 3 and not ets.member(t, "b"))
  ets.delete(t, "a")
  assert(ets.info(t, "size") == 0)
end)

ls.test("insert copies the tuple", function()
  local t = ets.new("t")
  local row = { "k", { n = 1 } }
  ets.insert(t, row)
  row[2].n = 2
  assert(ets.lookup(t, "k")[1][2].n == 1)
end)

ls.test("a list of tuples is inserted atomically; one tuple otherwise", function()
  local t = ets.new("t")
  ets.insert(t, { { "a", 1 }, { "b", 2 }, { "c", 3 } })
  assert(ets.info(t, "size") == 3)
  local p = ls.self()
  ets.insert(t, { p, "pid key" })  -- first element is a pid: one tuple
  assert(ets.lookup(t, p)[1][2] == "pid key")
  assert(ets.insert_new(t, { { "d", 4 }, { "a", 0 } }) == false, "a is present: nothing inserted")
  assert(not ets.member(t, "d"))
  assert(ets.insert_new(t, { "d", 4 }) == true)
end)

ls.test("tab2list is in key order for every table type", function()
  for _, ty in ipairs({ "set", "ordered_set", "bag", "duplicate_bag" }) do
    local t = ets.new("t", { type = ty })
    ets.insert(t, { { "b" }, { 10 }, { "a" }, { 2 }, { -1.5 }, { "aa" } })
    local keys = {}
    for _, row in ipairs(ets.tab2list(t)) do keys[#keys + 1] = tostring(row[1]) end
    assert(table.concat(keys, " ") == "-1.5 2 10 a aa b", ty .. ": " .. table.concat(keys, " "))
  end
end)

ls.test("bag keeps distinct objects, duplicate_bag keeps all", function()
  local b = ets.new("b", { type = "bag" })
  ets.insert(b, { "k", 1 }); ets.insert(b, { "k", 1 }); ets.insert(b, { "k", 2 })
  assert(#ets.lookup(b, "k") == 2)
  local d = ets.new("d", { type = "duplicate_bag" })
  ets.insert(d, { "k", 1 }); ets.insert(d, { "k", 1 })
  assert(#ets.lookup(d, "k") == 2)
  local els = ets.lookup_element(b, "k", 2)
  assert(type(els) == "table" and #els == 2, "lookup_element on a bag gives a list")
end)

ls.test("keys compare by value and keypos picks the key", function()
  local t = ets.new("t", { keypos = 2 })
  ets.insert(t, { "value", { "composite", 1 } })
  assert(ets.lookup(t, { "composite", 1.0 })[1][1] == "value")
  assert(ets.lookup_element(t, { "composite", 1 }, 1) == "value")
  assert(not pcall(ets.lookup_element, t, "nope", 1), "missing key raises")
  assert(not pcall(ets.insert, t, { "no key" }), "a tuple without a key raises")
  assert(not pcall(ets.insert, t, "not a tuple"))
end)

ls.test("update_counter: increment, position, default, errors", function()
  local t = ets.new("t")
  ets.insert(t, { "c", 10, 100 })
  assert(ets.update_counter(t, "c", 1) == 11)
  assert(ets.update_counter(t, "c", { 3, -50 }) == 50)
  assert(ets.lookup(t, "c")[1][2] == 11)
  assert(ets.update_counter(t, "new", 5, { "new", 0 }) == 5)
  assert(not pcall(ets.update_counter, t, "absent", 1), "no default raises")
  ets.insert(t, { "s", "text" })
  assert(not pcall(ets.update_counter, t, "s", 1), "a non-integer element raises")
end)

ls.test("access rules: protected and private tables", function()
  local prot = ets.new("p")
  local priv = ets.new("q", { access = "private" })
  local pub = ets.new("r", { access = "public" })
  ets.insert(prot, { "k", 1 }); ets.insert(priv, { "k", 1 })
  local parent = ls.self()
  ls.spawn(function()
    local results = {
      read_protected = pcall(ets.lookup, prot, "k"),
      write_protected = pcall(ets.insert, prot, { "k", 2 }),
      read_private = pcall(ets.lookup, priv, "k"),
      write_public = pcall(ets.insert, pub, { "k", 2 }),
    }
    ls.send(parent, results)
  end)
  local r = ls.receive()
  assert(r.read_protected == true and r.write_protected == false)
  assert(r.read_private == false and r.write_public == true)
end)

ls.test("named tables and owner death", function()
  local parent = ls.self()
  local owner = ls.spawn(function()
    ets.new("shared", { named = true, access = "public" })
    ets.insert("shared", { "x", 1 })
    ls.send(parent, "ready")
    ls.receive()
  end)
  ls.receive()
  assert(ets.lookup("shared", "x")[1][2] == 1, "addressable by name")
  assert(not pcall(ets.new, "shared", { named = true }), "the name is taken")
  local ref = ls.monitor(owner)
  ls.exit(owner, "kill")
  ls.receive()
  assert(not pcall(ets.lookup, "shared", "x"), "the table died with its owner")
  ets.new("shared", { named = true })  -- the name is free again
end)

ls.test("delete_table", function()
  local t = ets.new("t")
  ets.insert(t, { 1 })
  ets.delete_table(t)
  local ok, err = pcall(ets.insert, t, { 2 })
  assert(not ok and err:find("does not exist"), err)
end)

ls.test("invariants read tables directly", function()
  local t = ets.new("t", { access = "public" })
  ls.invariant("at most 4 rows", function()
    assert(#ets.tab2list(t) == ets.info(t, "size"))
    return ets.info(t, "size") <= 4 and (not ets.member(t, "x") or ets.lookup(t, "x")[1][2] >= 0)
  end)
  for i = 1, 3 do ets.insert(t, { i }) end
  ets.insert(t, { "x", 5 })
  ets.delete(t, 1)
end)

ls.test("an invariant reads a table as a process does, errors included", function()
  local t = ets.new("same", { access = "public" })
  ets.insert(t, { "k", 1 })
  local inside = {}
  ls.invariant("reads agree", function()
    inside.short = { pcall(ets.lookup_element, t, "k", 3) }
    inside.missing = { pcall(ets.lookup_element, t, "nope", 2) }
    return true
  end)
  ets.insert(t, { "other", 2 }) -- a step: the invariant runs after it
  local ok, err = pcall(ets.lookup_element, t, "k", 3)
  assert(not ok and not inside.short[1] and err == inside.short[2], tostring(inside.short[2]))
  ok, err = pcall(ets.lookup_element, t, "nope", 2)
  assert(not ok and not inside.missing[1] and err == inside.missing[2], tostring(inside.missing[2]))
end)

ls.test("update_element writes elements in place, all or nothing", function()
  local t = ets.new("t", { type = "ordered_set" })
  ets.insert(t, { { "k", "a", 0 }, { "j", "b", 0 } })
  assert(ets.update_element(t, "k", { 3, 42 }) == true)
  assert(ets.lookup(t, "k")[1][3] == 42)
  local v = { n = 1 }
  assert(ets.update_element(t, "k", { { 2, "A" }, { 3, v } }) == true)
  v.n = 2
  local row = ets.lookup(t, "k")[1]
  assert(row[2] == "A" and row[3].n == 1, "the value is copied")
  assert(ets.update_element(t, "missing", { 2, "z" }) == false)
  local ok, err = pcall(ets.update_element, t, "k", { { 2, "B" }, { 4, "z" } })
  assert(not ok and tostring(err):find("position 4 is past the row's 3 elements"), tostring(err))
  assert(ets.lookup(t, "k")[1][2] == "A", "nothing written when one position is bad")
  ok, err = pcall(ets.update_element, t, "k", { 1, "z" })
  assert(not ok and tostring(err):find("cannot update the key"), tostring(err))
  ok, err = pcall(ets.update_element, t, "k", { "two", "z" })
  assert(not ok and tostring(err):find("integer position"), tostring(err))
  local bag = ets.new("bag", { type = "bag" })
  ets.insert(bag, { "k", 1 })
  ok, err = pcall(ets.update_element, bag, "k", { 2, 5 })
  assert(not ok and tostring(err):find("set and ordered_set tables only"), tostring(err))
  local other = ets.new("keypos2", { keypos = 2 })
  ets.insert(other, { 0, "key", 0 })
  assert(ets.update_element(other, "key", { 1, 7 }) == true and ets.lookup(other, "key")[1][1] == 7)
end)

ls.test("first and next walk the keys in key order for every table type", function()
  for _, ty in ipairs({ "set", "ordered_set", "bag", "duplicate_bag" }) do
    local t = ets.new("t", { type = ty })
    assert(ets.first(t) == nil, ty .. ": an empty table has no first key")
    ets.insert(t, { { "b", 1 }, { 10, 1 }, { "a", 1 }, { 2, 1 }, { "a", 2 } })
    local keys = {}
    local k = ets.first(t)
    while k ~= nil do
      keys[#keys + 1] = tostring(k)
      k = ets.next(t, k)
    end
    assert(table.concat(keys, " ") == "2 10 a b", ty .. ": " .. table.concat(keys, " "))
    assert(ets.next(t, "aa") == "b", ty .. ": a missing key is followed by the next present one")
  end
end)

ls.test("an invariant may walk a table's keys", function()
  local t = ets.new("walked", { access = "public", named = true })
  ls.invariant("at most two keys", function()
    local n, k = 0, ets.first("walked")
    while k ~= nil do
      n = n + 1
      k = ets.next("walked", k)
    end
    return n <= 2
  end)
  ets.insert(t, { { "a" }, { "b" } })
end)
