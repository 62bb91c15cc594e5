// Chart.js, registered with only what the console draws (tree-shaken by the bundler).
import {
  Chart,
  BarController,
  BarElement,
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);
Chart.defaults.animation = false; // draw at once: what is on screen is the data
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.font.family = 'system-ui, sans-serif';

// As Chart.js's own browser build does: `Chart.getChart(canvas)` from the page (devtools, browser tests).
globalThis.Chart = Chart;

const COLORS = { blue: '#2f6fdf', red: '#d64545', teal: '#1f9e89' };

/** Draw (or redraw) a chart on `canvas`. */
export function draw(canvas, config) {
  const existing = Chart.getChart(canvas);
  if (existing) existing.destroy();
  return new Chart(canvas, config);
}

export function lineChart(canvas, labels, label, data, { percent = false, color = COLORS.blue } = {}) {
  return draw(canvas, {
    type: 'line',
    data: { labels, datasets: [{ label, data, borderColor: color, backgroundColor: color + '33', fill: true, tension: 0.2, pointRadius: 2 }] },
    options: {
      scales: {
        y: {
          beginAtZero: true,
          ...(percent ? { max: 100, ticks: { callback: (v) => `${v}%` } } : { ticks: { precision: 0 } }),
        },
      },
      plugins: { legend: { display: false } },
    },
  });
}

export function barChart(canvas, labels, label, data, { percent = false, color = COLORS.teal, counts = false } = {}) {
  return draw(canvas, {
    type: 'bar',
    data: { labels, datasets: [{ label, data, backgroundColor: color }] },
    options: {
      indexAxis: labels.length > 8 ? 'y' : 'x',
      scales: {
        [labels.length > 8 ? 'x' : 'y']: {
          beginAtZero: true,
          ...(percent ? { max: 100, ticks: { callback: (v) => `${v}%` } } : counts ? { ticks: { precision: 0 } } : {}),
        },
      },
      plugins: { legend: { display: false } },
    },
  });
}

export { COLORS };
