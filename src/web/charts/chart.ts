import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { THEME_EVENT } from '../theme.js';
import { themeColor } from './chart-colors.js';

/** A live chart: data is replaced with `setData`, never by re-creating the chart. */
export interface Chart {
  readonly element: HTMLElement;
  readonly plot: uPlot;
  /** Replaces the data; `data-points` on the element becomes the number of x values. */
  setData(data: uPlot.AlignedData): void;
  destroy(): void;
}

/** Options of {@link createChart}: uPlot's, with a fixed height and the test name. */
export interface ChartOptions extends Omit<uPlot.Options, 'width' | 'height'> {
  readonly height: number;
}

/** Axis options that follow the theme (uPlot calls the colour functions on every redraw). */
export function themedAxis(options: uPlot.Axis = {}): uPlot.Axis {
  return {
    stroke: () => themeColor('--chart-axis'),
    grid: { stroke: () => themeColor('--chart-grid'), width: 1 },
    ticks: { stroke: () => themeColor('--chart-grid'), width: 1 },
    ...options,
  };
}

/**
 * Creates a uPlot chart in a container that carries `data-testid="chart-<name>"`, sized to its
 * width and resized with it, redrawn when the theme changes.
 */
export function createChart(name: string, options: ChartOptions, data: uPlot.AlignedData): Chart {
  const element = document.createElement('div');
  element.className = 'chart';
  element.dataset.testid = `chart-${name}`;
  element.dataset.points = String(data[0]?.length ?? 0);
  const width = (): number => Math.max(200, Math.floor(element.clientWidth || 600));
  const plot = new uPlot({ ...options, width: 600, height: options.height }, data, element);
  let lastWidth = 0;
  const resize = new ResizeObserver(() => {
    const next = width();
    if (next === lastWidth) return;
    lastWidth = next;
    plot.setSize({ width: next, height: options.height });
  });
  resize.observe(element);
  const onTheme = (): void => plot.redraw(false, true);
  document.addEventListener(THEME_EVENT, onTheme);
  return {
    element,
    plot,
    setData(next) {
      plot.setData(next);
      element.dataset.points = String(next[0]?.length ?? 0);
    },
    destroy() {
      resize.disconnect();
      document.removeEventListener(THEME_EVENT, onTheme);
      plot.destroy();
    },
  };
}
