import { ms } from '../util/format.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * The live line shown while a fire runs in a terminal: `⠹ 3/12 done · running: tsc, lint · 1.4 s`.
 * Redrawn on progress and every 100 ms (for the clock); `stop()` erases it.
 */
export class ProgressLine {
  readonly #write: (text: string) => void;
  readonly #running: () => string[];
  readonly #started = Date.now();
  #completed = 0;
  #total = 0;
  #frame = 0;
  #timer: NodeJS.Timeout | undefined;
  #drawn = false;

  constructor(write: (text: string) => void, running: () => string[]) {
    this.#write = write;
    this.#running = running;
    this.#timer = setInterval(() => this.draw(), 100);
    this.#timer.unref();
  }

  /** The executor's `onProgress`. */
  readonly onProgress = (_started: number, completed: number, total: number): void => {
    this.#completed = completed;
    this.#total = total;
    this.draw();
  };

  /** The current line's text (without control characters). */
  text(): string {
    const names = this.#running();
    const shown = names.slice(0, 4).join(', ') + (names.length > 4 ? ` +${names.length - 4}` : '');
    const frame = FRAMES[this.#frame % FRAMES.length];
    return `${frame} ${this.#completed}/${this.#total} done${shown ? ` · running: ${shown}` : ''} · ${ms(Date.now() - this.#started)}`;
  }

  draw(): void {
    this.#frame++;
    this.#write(`\r\x1b[2K${this.text()}`);
    this.#drawn = true;
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#drawn) this.#write('\r\x1b[2K');
  }
}
