-- lockstep.generator: immutable, seeded operation streams (SPEC 5.8).
--
-- A generator is a value: next(g) returns an operation and a new
-- generator, leaving g unchanged, so a generator can be shared and
-- replayed. Random generators use their own seeded stream; without a seed
-- they draw one from the iteration's controlled randomness (recorded in
-- the trace), never from real randomness.
local ls = lockstep
local M = {}
local G = {}
G.__index = G

-- SplitMix64 on Lua's 64-bit integers (they wrap around on overflow).
local function mix(s)
  s = s + 0x9e3779b97f4a7c15
  local z = s
  z = (z ~ (z >> 30)) * 0xbf58476d1ce4e5b9
  z = (z ~ (z >> 27)) * 0x94d049bb133111eb
  return s, z ~ (z >> 31)
end

local function below(s, n)  -- -> new state, value in [0, n)
  local z
  s, z = mix(s)
  return s, (z >> 1) % n
end

local function seed_of(opts)
  if opts and opts.seed then return opts.seed end
  return ls.random_int(0, (1 << 62) - 1)
end

local function make(t) return setmetatable(t, G) end

-- random(ops, {seed}) -> an endless stream of ops drawn uniformly
function M.random(ops, opts)
  assert(#ops > 0, "generator.random needs at least one op")
  return make({ kind = "random", ops = ops, state = seed_of(opts) })
end

-- cycle(ops) -> ops[1], ops[2], ..., ops[1], ...
function M.cycle(ops)
  assert(#ops > 0, "generator.cycle needs at least one op")
  return make({ kind = "cycle", ops = ops, pos = 1 })
end

-- weighted({{op, weight}, ...}, {seed})
function M.weighted(pairs_, opts)
  local total = 0
  for _, p in ipairs(pairs_) do total = total + p[2] end
  assert(total > 0, "generator.weighted needs positive weights")
  return make({ kind = "weighted", pairs = pairs_, total = total, state = seed_of(opts) })
end

-- mix({g1, g2, ...}, {seed}): each op comes from a randomly chosen generator
function M.mix(gens, opts)
  assert(#gens > 0, "generator.mix needs at least one generator")
  return make({ kind = "mix", gens = gens, state = seed_of(opts) })
end

-- take(g, n): the first n ops of g
function M.take(g, n) return make({ kind = "take", inner = g, left = n }) end

-- next(g) -> op, g2, or nil when g is exhausted
function M.next(g)
  local k = g.kind
  if k == "random" then
    local s, i = below(g.state, #g.ops)
    return g.ops[i + 1], make({ kind = "random", ops = g.ops, state = s })
  elseif k == "cycle" then
    return g.ops[g.pos], make({ kind = "cycle", ops = g.ops, pos = g.pos % #g.ops + 1 })
  elseif k == "weighted" then
    local s, r = below(g.state, g.total)
    local op
    for _, p in ipairs(g.pairs) do
      if r < p[2] then op = p[1]; break end
      r = r - p[2]
    end
    return op, make({ kind = "weighted", pairs = g.pairs, total = g.total, state = s })
  elseif k == "mix" then
    local s, i = below(g.state, #g.gens)
    local op, inner = M.next(g.gens[i + 1])
    if op == nil then return nil end
    local gens = {}
    for j, x in ipairs(g.gens) do gens[j] = x end
    gens[i + 1] = inner
    return op, make({ kind = "mix", gens = gens, state = s })
  elseif k == "take" then
    if g.left <= 0 then return nil end
    local op, inner = M.next(g.inner)
    if op == nil then return nil end
    return op, make({ kind = "take", inner = inner, left = g.left - 1 })
  end
  error("not a generator")
end

-- each(g, fn) -> count: calls fn(op) for every op until g is exhausted
function M.each(g, fn)
  local n = 0
  while true do
    local op
    op, g = M.next(g)
    if op == nil then return n end
    fn(op)
    n = n + 1
  end
end

-- reduce(g, acc, fn) -> fn(...fn(fn(acc, op1), op2)...)
function M.reduce(g, acc, fn)
  M.each(g, function(op) acc = fn(acc, op) end)
  return acc
end

G.next, G.each, G.reduce, G.take = M.next, M.each, M.reduce, M.take
ls.generator = M
