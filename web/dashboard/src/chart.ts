import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import type { Overview } from './api';
import { formats } from './i18n';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const palette = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#475569', '#ea580c'];

/** Stacked bars per UTC day, one colour per vendor (or model), of tokens or of requests. */
export function usageChart(canvas: HTMLCanvasElement, overview: Overview, metric: 'tokens' | 'requests'): Chart {
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: overview.series.days,
      datasets: overview.series.lines.map((line, i) => ({
        label: line.label,
        data: metric === 'tokens' ? line.tokens : line.requests,
        backgroundColor: palette[i % palette.length],
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { stacked: true },
        y: { stacked: true, beginAtZero: true, ticks: { callback: (v) => formats.number(Number(v)) } },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  });
}
