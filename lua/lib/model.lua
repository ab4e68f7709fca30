-- lockstep.model: sequential specifications for the checkers (SPEC 5.8).
--
-- A model is {init = state, step = function(state, f, input, output)
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

-- A register: read -> value; write(v); cas({from, to}) -> true | false.
-- get and put are read and write, as in the engine's register model.
function M.register(initial)
  return M.new({
    name = "register",
    ops = { "read", "write", "cas", "get", "put" },
    reads = { "read", "get" },
    init = initial,
    step = function(state, f, input, output)
      if f == "read" or f == "get" then return output == state, state end
      if f == "write" or f == "put" then return true, input end
      if f == "cas" then
        if state == input[1] then return output == true, input[2] end
        return output == false, state
      end
      return false, state
    end,
  })
end
M.cas_register = M.register

-- A counter: add(n) / increment; read -> value.
function M.counter(initial)
  return M.new({
    name = "counter",
    ops = { "add", "increment", "read" },
    reads = { "read" },
    init = initial or 0,
    step = function(state, f, input, output)
      if f == "add" or f == "increment" then return true, state + (input or 1) end
      if f == "read" then return output == state, state end
      return false, state
    end,
  })
end

-- Per-key registers: put({key, value}); get(key) -> value (nil when absent).
function M.kv()
  return M.new({
    name = "kv",
    ops = { "put", "write", "get", "read" },
    reads = { "get", "read" },
    init = nil,
    key = function(f, input) return type(input) == "table" and input[1] or input end,
    step = function(state, f, input, output)
      if f == "put" or f == "write" then return true, input[2] end
      if f == "get" or f == "read" then return output == state, state end
      return false, state
    end,
  })
end

-- A FIFO queue: enqueue(v); dequeue -> v (nil when empty).
function M.queue()
  return M.new({
    name = "queue",
    ops = { "enqueue", "dequeue" },
    init = {},
    step = function(state, f, input, output)
      if f == "enqueue" then
        local q = { table.unpack(state) }
        q[#q + 1] = input
        return true, q
      end
      if f == "dequeue" then
        if #state == 0 then return output == nil, state end
        return output == state[1], { table.unpack(state, 2) }
      end
      return false, state
    end,
  })
end

-- A set: add(v), remove(v), contains(v) -> bool.
function M.set()
  return M.new({
    name = "set",
    ops = { "add", "remove", "contains" },
    reads = { "contains" },
    init = {},
    step = function(state, f, input, output)
      if f == "add" or f == "remove" then
        local s = {}
        for k in pairs(state) do s[k] = true end
        s[input] = (f == "add") or nil
        return true, s
      end
      if f == "contains" then return output == (state[input] == true), state end
      return false, state
    end,
  })
end

ls.model = M
