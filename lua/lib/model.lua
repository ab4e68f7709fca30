-- lockstep.model: sequential specifications for the checkers (SPEC 5.8).
--
-- A model made with new() is {init = state, step = function(state, f, input, output)
-- return ok, new_state end}. step must compute new_state from state and
-- input alone: for an operation whose outcome is unknown the checker calls
-- it with output nil and ignores ok. States must be plain values (numbers,
-- strings, booleans, tables of those) so they can be compared. A model with
-- key(f, input) -> key is checked per key (its keys are independent). With
-- ops = {names}, a history with another operation is an error naming it
-- (not a verdict). With reads = {names}, an operation of those names whose
-- outcome is unknown is left out: it changes no state, so it constrains
-- nothing.
local ls = lockstep
local M = {}

function M.new(spec)
  assert(type(spec) == "table" and type(spec.step) == "function", "model.new needs {init = ..., step = fn}")
  return { name = spec.name or "custom", init = spec.init, step = spec.step, key = spec.key, ops = spec.ops,
           reads = spec.reads }
end

-- The built-in models are the engine's own, the ones `lockstep check`
-- uses on recorded files (engine/checker/models.cc): ls.checker gives them
-- the history's values as they are: any Lua value, equal as ets keys are
-- equal (1 and 1.0 are one value, tables are equal when their contents are,
-- pids and refs are themselves).
local function builtin(name, init)
  return { name = name, builtin = name, init = init }
end

-- A register: read (or get) -> value; write (or put) v; cas({from, to}) -> true | false.
function M.register(initial) return builtin("register", initial) end
M.cas_register = M.register

-- A counter of integers: add(n) / increment; read -> value.
function M.counter(initial) return builtin("counter", initial or 0) end

-- Per-key registers: put({key, value}); get(key) -> value (nil when absent).
function M.kv() return builtin("kv") end

-- A FIFO queue: enqueue(v); dequeue -> v (nil when empty).
function M.queue() return builtin("queue") end

-- A set: add(v), remove(v), contains(v) -> bool.
function M.set() return builtin("set") end

ls.model = M
