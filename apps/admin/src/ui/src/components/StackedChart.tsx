import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { StackedData } from '../lib/usage-report';

const COLORS = ['#228be6', '#40c057', '#fab005', '#fa5252', '#7950f2', '#15aabf', '#fd7e14', '#e64980', '#868e96'];

/** Stacked areas over days, or stacked bars when there is a single x value. */
export function StackedChart({ data, height = 280 }: { data: StackedData; height?: number }) {
  const Chart = data.points.length > 1 ? AreaChart : BarChart;
  return (
    <ResponsiveContainer width="100%" height={height}>
      <Chart data={data.points}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="x" />
        <YAxis />
        <Tooltip />
        <Legend />
        {data.series.map((s, i) =>
          data.points.length > 1 ? (
            <Area key={s} type="monotone" dataKey={s} stackId="1" stroke={COLORS[i % COLORS.length]} fill={COLORS[i % COLORS.length]} isAnimationActive={false} />
          ) : (
            <Bar key={s} dataKey={s} stackId="1" fill={COLORS[i % COLORS.length]} isAnimationActive={false} />
          ),
        )}
      </Chart>
    </ResponsiveContainer>
  );
}
