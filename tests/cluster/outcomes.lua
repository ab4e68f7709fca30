-- Which arrival orders can a collector see? Two senders on two nodes, a
-- nemesis that cuts one of them off (dropping) and heals, and a node that
-- may stop. One test per candidate outcome X asserts "the outcome is not
-- X": a strategy reports a bug for exactly the outcomes it reached, so an
-- exhaustive search must report every outcome random sampling finds
-- (tests/scenarios/cluster_cli_test.cc compares them).
local ls = lockstep

local function program()
  ls.cluster.start_nodes({ "a", "b" })
  local root = ls.self()
  local collector = ls.spawn(function()
    local got = {}
    while true do
      local m = ls.receive(nil, 5)  -- fires only once nothing else can happen
      if m == nil then break end
      got[#got + 1] = type(m) == "table" and "D" or m
    end
    ls.send(root, table.concat(got))
  end)
  ls.spawn_on("a", function()
    ls.send(collector, "a")
    ls.send(collector, "A")
  end)
  local pb = ls.spawn_on("b", function() ls.send(collector, "b") end)
  ls.spawn(function()
    ls.cluster.partition({ "a" }, { "main", "b" }, { mode = "drop" })
    ls.cluster.heal()
  end)
  ls.spawn(function()
    if ls.random_bool() then ls.cluster.stop_node("b") end
  end)
  return ls.receive(), pb
end

local letters = { "a", "A", "b" }
local candidates = { "" }
local function extend(prefix, used)
  for i, l in ipairs(letters) do
    if not used[i] then
      candidates[#candidates + 1] = prefix .. l
      used[i] = true
      extend(prefix .. l, used)
      used[i] = false
    end
  end
end
extend("", {})

for _, x in ipairs(candidates) do
  ls.test("outcome is not [" .. x .. "]", function()
    local outcome = program()
    assert(outcome ~= x, "reached")
  end)
end
