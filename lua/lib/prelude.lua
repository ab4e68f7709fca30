-- The Lua half of the lockstep runtime, loaded into every iteration's state
-- before the scenario. The C half (lua/api.cc) provides the sync points.
local ls = lockstep

-- Randomness is a controlled choice, recorded in the trace.
function math.random(m, n)
  if m == nil then
    return ls.random_int(0, (1 << 53) - 1) / (1 << 53)
  end
  if n == nil then m, n = 1, m end
  return ls.random_int(m, n)
end

function math.randomseed() end

-- Output goes to the trace's log, tagged with step and process.
print = ls.log

-- Nodes (docs/cluster.md). A node handle is the node's name.
function ls.cluster.start_nodes(names, opts)
  if type(names) ~= "table" then
    error("bad argument #1 to 'start_nodes' (list of node names expected, got " .. type(names) .. ")", 2)
  end
  local boot
  if opts ~= nil then
    if type(opts) ~= "table" then
      error("bad argument #2 to 'start_nodes' (options table expected, got " .. type(opts) .. ")", 2)
    end
    for k in pairs(opts) do
      if k ~= "boot" then error("start_nodes: unknown option '" .. tostring(k) .. "' (known: boot)", 2) end
    end
    boot = opts.boot
    if boot ~= nil and type(boot) ~= "function" then
      error("start_nodes: boot must be a function(node), got " .. type(boot), 2)
    end
  end
  local copy = {}
  for i, name in ipairs(names) do copy[i] = name end
  ls.cluster._start_nodes(copy, boot)
  local handles = {}
  for i, name in ipairs(copy) do handles[i] = name end
  return handles
end

ls.cluster.run = ls.spawn_on
