import { get } from '../api.js';
import { h, clear, alertBox, showError } from '../dom.js';
import { filterBuilder, GROUPABLE } from '../filters.js';
import { PERIODS, lastDays, timeSeries } from '../series.js';
import { lineChart, barChart, COLORS } from '../charts.js';

export const METRICS = {
  session_count: 'Sessions',
  session_unique_user_count: 'Unique users',
  session_new_users_count: 'New users',
  avg_session_duration: 'Average duration (s)',
  avg_session_screen_count: 'Average screens',
  avg_session_unique_screen_count: 'Average unique screens',
  avg_session_gesture_count: 'Average gestures',
  avg_session_rage_gesture_count: 'Average rage gestures',
  avg_session_responsive_gesture_count: 'Average responsive gestures',
  avg_session_unresponsive_gesture_count: 'Average unresponsive gestures',
  crash_rate: 'Crash rate (%)',
};
const USER_METADATA = 'user_metadata.';
const MAX_BARS = 20;

function metricValue(metric, row) {
  const value = row ? row[metric] : 0;
  if (metric === 'crash_rate') return Math.round(value * 10000) / 100; // a share → percent
  return Number.isInteger(value) ? value : Math.round(value * 100) / 100;
}

function groupLabel(value) {
  if (value === null || value === undefined) return '(not set)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function dataTable(caption, header, labels, values) {
  return h(
    'details',
    { class: 'chart-data' },
    h('summary', {}, `${caption}: data`),
    h(
      'table',
      { class: 'list', 'aria-label': `${caption} data` },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, header), h('th', { scope: 'col' }, caption))),
      h('tbody', {}, labels.map((label, i) => h('tr', {}, h('th', { scope: 'row' }, label), h('td', {}, String(values[i]))))),
    ),
  );
}

/** A change as the console shows it: a signed percent, or an em dash when the previous value was 0. */
export function changeLabel(change) {
  if (change === null || change === undefined) return '\u2014';
  const percent = Math.round(change * 10000) / 100;
  return `${percent > 0 ? '+' : ''}${percent}%`;
}

function comparisonTable(caption, header, labels, rows, metric) {
  return h(
    'table',
    { class: 'list', 'aria-label': `${caption} compared with the previous period` },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        [header, 'Now', 'Previous period', 'Change'].map((title) => h('th', { scope: 'col' }, title)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((row, i) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, labels[i]),
          h('td', {}, String(metricValue(metric, row))),
          h('td', {}, String(metricValue(metric, row.previous))),
          h('td', {}, changeLabel(row.change[metric])),
        ),
      ),
    ),
  );
}

function figure(id, caption) {
  const canvas = h('canvas', { id, role: 'img', 'aria-label': caption });
  const title = h('figcaption', {}, caption);
  const data = h('div');
  return { canvas, title, data, element: h('figure', { class: 'chart' }, title, h('div', { class: 'chart-box' }, canvas), data) };
}

const state = {
  ...lastDays(30),
  period: 'day',
  group: 'device_platform',
  path: '',
  metric: 'session_count',
  compare: false,
  rows: [],
};

export function renderAnalytics(main) {
  const lower = h('input', { id: 'analytics-from', type: 'date', value: state.lower, required: true });
  const upper = h('input', { id: 'analytics-to', type: 'date', value: state.upper, required: true });
  const period = h(
    'select',
    { id: 'analytics-period' },
    Object.entries(PERIODS).map(([key, { label }]) => h('option', { value: key, selected: key === state.period }, label)),
  );
  const group = h(
    'select',
    { id: 'analytics-group' },
    GROUPABLE.map((name) => h('option', { value: name, selected: name === state.group }, name)),
    h('option', { value: USER_METADATA, selected: state.group === USER_METADATA }, 'user_metadata.<path>'),
  );
  const path = h('input', { id: 'analytics-path', autocomplete: 'off', placeholder: 'plan', value: state.path });
  const pathField = h('span', { class: 'field' }, h('label', { for: path.id }, 'user_metadata path'), path);
  const metric = h(
    'select',
    { id: 'analytics-metric' },
    Object.entries(METRICS).map(([key, label]) => h('option', { value: key, selected: key === state.metric }, label)),
  );
  const compare = h('input', { id: 'analytics-compare', type: 'checkbox', checked: state.compare });
  const comparison = h('section', { 'aria-label': 'Comparison', hidden: true });
  const builder = filterBuilder();
  for (const row of state.rows) builder.addRow(row);
  const error = alertBox();
  const summary = h('dl', { class: 'kpis', 'aria-label': 'Summary' });
  const series = figure('chart-series', 'Sessions per day');
  const crashes = figure('chart-crash-rate', 'Crash rate per day');
  const groups = figure('chart-groups', 'Sessions by group');
  const groupCrashes = figure('chart-group-crash-rate', 'Crash rate by group');
  const charts = h('div', { class: 'charts' }, series.element, crashes.element, groups.element, groupCrashes.element);

  const layout = () => (pathField.hidden = group.value !== USER_METADATA);
  group.addEventListener('change', layout);
  layout();

  let generation = 0; // an answer to an older Update is dropped
  async function update() {
    const mine = ++generation;
    Object.assign(state, {
      lower: lower.value,
      upper: upper.value,
      period: period.value,
      group: group.value,
      path: path.value,
      metric: metric.value,
      compare: compare.checked,
      rows: builder.read(),
    });
    // What is drawn follows what was asked, not the form as it is when the answer comes back.
    const asked = { ...state };
    const filters = JSON.stringify([
      { attribute: 'date_range', operator: 'between_dates', value: { lower: `${lower.value}T00:00:00Z`, upper: `${upper.value}T23:59:59.999Z` } },
      ...(builder.filters() || []),
    ]);
    const timeAttribute = PERIODS[period.value].attribute;
    const groupAttribute = group.value === USER_METADATA ? USER_METADATA + path.value.trim() : group.value;
    // The groups' answer also holds the previous period when asked (comparison=previous_period).
    const ask = (groupBy, withPrevious = false) =>
      get(['sessions', 'analytics'], {
        filters,
        group_by: groupBy ? JSON.stringify(groupBy) : undefined,
        comparison: withPrevious ? 'previous_period' : undefined,
      });
    showError(error, null);
    charts.setAttribute('aria-busy', 'true');
    let answers;
    try {
      // One after another: one warm function answers them all, instead of three cold ones at once.
      answers = [];
      for (const [groupBy, withPrevious] of [
        [null, false],
        [[{ attribute: timeAttribute, max_group_number: 500 }], false],
        [[{ attribute: groupAttribute, max_group_number: MAX_BARS }], asked.compare],
      ]) {
        answers.push(await ask(groupBy, withPrevious));
      }
    } catch (err) {
      if (mine !== generation) return;
      showError(error, err);
      charts.removeAttribute('aria-busy');
      return;
    }
    if (mine !== generation) return;
    const [total, byTime, byGroup] = answers.map((answer) => answer.data);

    const overall = total[0] || null;
    clear(summary).append(
      ...['session_count', 'session_unique_user_count', 'session_new_users_count', 'avg_session_duration', 'crash_rate'].flatMap(
        (key) => [h('dt', {}, METRICS[key]), h('dd', {}, String(metricValue(key, overall)))],
      ),
    );

    const periodName = PERIODS[asked.period].label.toLowerCase();
    const points = timeSeries(byTime, timeAttribute, asked.period, asked.lower, asked.upper);
    const labels = points.map((p) => p.bucket);
    const counts = points.map((p) => metricValue('session_count', p.row));
    const rates = points.map((p) => metricValue('crash_rate', p.row));
    series.title.textContent = `Sessions per ${periodName}`;
    series.canvas.setAttribute('aria-label', `Sessions per ${periodName}`);
    lineChart(series.canvas, labels, 'Sessions', counts, { color: COLORS.blue });
    clear(series.data).append(dataTable('Sessions', periodName, labels, counts));
    crashes.title.textContent = `Crash rate per ${periodName}`;
    crashes.canvas.setAttribute('aria-label', `Crash rate per ${periodName}`);
    lineChart(crashes.canvas, labels, 'Crash rate (%)', rates, { percent: true, color: COLORS.red });
    clear(crashes.data).append(dataTable('Crash rate (%)', periodName, labels, rates));

    const metricName = METRICS[asked.metric];
    const groupLabels = byGroup.map((row) => groupLabel(row[groupAttribute]));
    const values = byGroup.map((row) => metricValue(asked.metric, row));
    groups.title.textContent = `${metricName} by ${groupAttribute}`;
    groups.canvas.setAttribute('aria-label', `${metricName} by ${groupAttribute}`);
    barChart(groups.canvas, groupLabels, metricName, values, {
      percent: asked.metric === 'crash_rate',
      counts: asked.metric.endsWith('_count') && !asked.metric.startsWith('avg_'),
    });
    clear(groups.data).append(dataTable(metricName, groupAttribute, groupLabels, values));
    comparison.hidden = !asked.compare;
    clear(comparison);
    if (asked.compare) {
      comparison.append(
        h('h3', {}, `${metricName} by ${groupAttribute}, compared with the previous period`),
        comparisonTable(metricName, groupAttribute, groupLabels, byGroup, asked.metric),
      );
    }
    const groupRates = byGroup.map((row) => metricValue('crash_rate', row));
    groupCrashes.title.textContent = `Crash rate by ${groupAttribute}`;
    groupCrashes.canvas.setAttribute('aria-label', `Crash rate by ${groupAttribute}`);
    barChart(groupCrashes.canvas, groupLabels, 'Crash rate (%)', groupRates, { percent: true, color: COLORS.red });
    clear(groupCrashes.data).append(dataTable('Crash rate (%)', groupAttribute, groupLabels, groupRates));
    charts.removeAttribute('aria-busy');
  }

  const form = h(
    'form',
    {
      class: 'search',
      'aria-label': 'Analytics',
      onsubmit: (event) => {
        event.preventDefault();
        update();
      },
    },
    h(
      'div',
      { class: 'toolbar' },
      h('span', { class: 'field' }, h('label', { for: lower.id }, 'From (UTC)'), lower),
      h('span', { class: 'field' }, h('label', { for: upper.id }, 'To (UTC)'), upper),
      h('span', { class: 'field' }, h('label', { for: period.id }, 'Period'), period),
      h('span', { class: 'field' }, h('label', { for: group.id }, 'Group by'), group),
      pathField,
      h('span', { class: 'field' }, h('label', { for: metric.id }, 'Metric'), metric),
      h('span', { class: 'field' }, compare, h('label', { for: compare.id }, 'Compare with the range before')),
    ),
    builder.element,
    h('div', { class: 'toolbar' }, h('button', { type: 'submit', class: 'primary' }, 'Update')),
  );
  main.append(h('h2', {}, 'Analytics'), form, error, summary, comparison, charts);
  update();
}
