/** The part of quickjs-emscripten's (protected) memory helper this module replaces. */
interface MemoryHelper {
  newTypedArray(
    kind: TypedArrayKind,
    length: number,
  ): { readonly value: { typedArray: ArrayLike<number>; readonly ptr: number } };
}

type TypedArrayKind = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => Int32Array;

/**
 * quickjs-emscripten 0.32 reads a call's out-parameters (`executePendingJobs`' context pointer,
 * `newPromise`'s resolving functions) through a typed-array view made before the wasm call. When
 * the call grows the wasm memory — any promise job that allocates can — that view is detached and
 * reads `undefined`: `executePendingJobs` then creates a context nobody owns, and freeing the
 * runtime later fails QuickJS's leak check, which aborts the whole wasm module, every other
 * script's included (justjake/quickjs-emscripten#240 and #269; the fix, #248, is not released).
 * This gives the memory helper of `owner` (a runtime or a context) views that follow the memory
 * when it grows. A release that no longer has the helper is left alone.
 * @internal
 */
export function followMemoryGrowth(owner: object, wasm: { readonly buffer: ArrayBufferLike }): void {
  const memory = (owner as { memory?: MemoryHelper }).memory;
  if (memory === undefined || typeof memory.newTypedArray !== 'function') return;
  const original = memory.newTypedArray;
  memory.newTypedArray = function newTypedArray(kind, length) {
    const lifetime = original.call(this, kind, length);
    const holder = lifetime.value;
    let view = holder.typedArray as Int32Array;
    Object.defineProperty(holder, 'typedArray', {
      get: () => {
        // Only the first read after a growth makes a new view.
        if (view.buffer !== wasm.buffer) view = new kind(wasm.buffer, holder.ptr, length);
        return view;
      },
    });
    return lifetime;
  };
}
