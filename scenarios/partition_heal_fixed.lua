-- A replicated counter that converges once a partition heals (the twin of
-- partition_heal.lua): a G-counter keeps one count per replica and merges
-- entry by entry, so increments made on two sides of a partition add up.
local ls = lockstep

local G_COUNTER = true

local NODES = { "a", "b", "c" }
local INCREMENTS = 2  -- per node

local function total(state)
  if not G_COUNTER then return state end
  local sum = 0
  for _, n in ipairs(NODES) do sum = sum + (state[n] or 0) end
  return sum
end

local function merge(mine, theirs)
  if not G_COUNTER then return math.max(mine, theirs) end
  local out = {}
  for _, n in ipairs(NODES) do out[n] = math.max(mine[n] or 0, theirs[n] or 0) end
  return out
end

local function increment(state, node)
  if not G_COUNTER then return state + 1 end
  local out = merge(state, {})
  out[node] = out[node] + 1
  return out
end

local function replica(values)
  ls.label("replica")
  local me = ls.node()
  local state = G_COUNTER and {} or 0
  local peers = ls.receive(function(m) return type(m) == "table" and m.peers end).peers  -- the other replicas
  while true do
    local m = ls.receive()
    if m == "incr" then
      state = increment(state, me)
      for _, p in ipairs(peers) do ls.send(p, { state = state }) end
    elseif type(m) == "table" and m.state then
      state = merge(state, m.state)
    end
    ls.ets.insert(values, { me, total(state) })  -- an observer for the test, not a message
  end
end

ls.test("replicas converge after the partition heals", { faults = { partition = 2 }, strategy = "pct", iterations = 300 },
  function()
    ls.cluster.faults(false)  -- no faults while the replicas start
    ls.cluster.start_nodes(NODES)
    local values = ls.ets.new("values", { access = "public" })
    ls.ets.insert(values, { "clients done", 0 })
    local replicas = {}
    for i, n in ipairs(NODES) do replicas[i] = ls.spawn_on(n, replica, values) end
    for i, r in ipairs(replicas) do
      local peers = {}
      for j, p in ipairs(replicas) do
        if j ~= i then peers[#peers + 1] = p end
      end
      ls.send(r, { peers = peers })
    end
    for i, n in ipairs(NODES) do
      ls.spawn_on(n, function()
        ls.label("client")
        for _ = 1, INCREMENTS do ls.send(replicas[i], "incr") end
        ls.ets.update_counter(values, "clients done", 1)
      end)
    end
    ls.cluster.faults(true)  -- the nemesis may cut nodes off while the clients count
    while ls.ets.lookup_element(values, "clients done", 2) < #NODES do ls.sleep(10) end
    ls.cluster.faults(false)
    ls.cluster.heal()  -- the end of the nemesis: everything reconnects
    ls.sleep(1000)     -- the gossip settles (time moves only when nothing else can run)
    for _, n in ipairs(NODES) do
      local row = ls.ets.lookup(values, n)[1]
      local v = row and row[2] or 0
      if v ~= #NODES * INCREMENTS then
        error("replica " .. n .. " converged to " .. v .. ", not " .. #NODES * INCREMENTS, 0)
      end
    end
  end)
