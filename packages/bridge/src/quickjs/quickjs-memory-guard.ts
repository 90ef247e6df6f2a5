/** What one script may add to the wasm memory while its code runs. @internal */
export interface GrowthBudget {
  /** Size of the wasm memory when the script's outermost slice began. */
  base: number;
  readonly limitBytes: number;
  /** Called when a growth past the bound was refused. */
  exceeded(): void;
}

/** The wasm memory as the guard sees it (a `WebAssembly.Memory`). */
interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(deltaPages: number): number;
}

const PAGE = 65536;
const guarded = new WeakSet<object>();
/** The budget of the script whose code runs now (innermost slice), if any. */
let active: GrowthBudget | undefined;
/** Host-side `_malloc` calls in progress: those must never fail (see below). */
let hostAllocations = 0;

/**
 * Makes the wasm memory refuse to grow past the running script's bound. This wasm build has no
 * `malloc_usable_size`, so QuickJS's allocator limit under-counts large blocks, and the interrupt handler that compares the memory's growth with the bound runs only
 * every 10 000 interpreter polls: a loop of `new Array(1 << 18).fill(0)` grew the memory to
 * 2 GiB — which wasm never gives back — before it was stopped. Refused, the allocation fails
 * inside QuickJS (an "out of memory" exception, and `exceeded()` makes the next interrupt poll
 * stop the script).
 *
 * The bridge's own allocations through the module's exported `_malloc` (strings and argument
 * arrays it passes into the wasm) are always allowed: quickjs-emscripten writes to the pointer
 * it gets back without checking it. Returns false when this build does not have the expected
 * shape; the interrupt handler's check then remains the only bound.
 * @internal
 */
export function guardMemoryGrowth(emscriptenModule: unknown, memory: WasmMemory): boolean {
  if (guarded.has(memory)) return true;
  const em = emscriptenModule as { _malloc?: (size: number) => number } | undefined;
  const malloc = em?._malloc;
  if (typeof malloc !== 'function' || typeof memory.grow !== 'function') return false;
  guarded.add(memory);
  em!._malloc = (size: number) => {
    hostAllocations++;
    try {
      return malloc(size);
    } finally {
      hostAllocations--;
    }
  };
  const grow = memory.grow.bind(memory);
  memory.grow = (deltaPages: number) => {
    const budget = active;
    if (
      budget !== undefined &&
      hostAllocations === 0 &&
      memory.buffer.byteLength + deltaPages * PAGE - budget.base > budget.limitBytes
    ) {
      budget.exceeded();
      // emscripten's heap resize catches this and makes malloc return NULL.
      throw new RangeError('the script is at its memory bound');
    }
    return grow(deltaPages);
  };
  return true;
}

/** Makes `budget` the one checked (undefined: none); returns the previous one to restore. @internal */
export function enterGrowthBudget(budget: GrowthBudget | undefined): GrowthBudget | undefined {
  const previous = active;
  active = budget;
  return previous;
}
