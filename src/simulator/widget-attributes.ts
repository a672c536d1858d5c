import type { WidgetEventInfo } from './build-event-payloads.ts';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const BROWSER = {
  browser_name: 'Chrome',
  browser_version: '126.0.0.0',
  device_name: 'Unknown',
  platform_name: 'macOS',
  platform_version: '10.15.7',
};

/**
 * The widget sends `new Date().toString()`; we render it in UTC so runs do not depend on the
 * machine's time zone.
 */
export function javascriptDateString(epochMs: number): string {
  const date = new Date(epochMs);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return (
    `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${pad(date.getUTCDate())} ${date.getUTCFullYear()} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} GMT+0000 (Coordinated Universal Time)`
  );
}

/** `additional_attributes` of a website-widget conversation. */
export function widgetBrowserAttributes(epochMs: number): Record<string, unknown> {
  return {
    browser_language: 'en',
    browser: { ...BROWSER },
    initiated_at: { timestamp: javascriptDateString(epochMs) },
    referer: 'https://shop.example.com/help',
  };
}

/** `event_info` of `webwidget_triggered`: two keys from the widget, three added server-side. */
export function widgetEventInfo(epochMs: number): WidgetEventInfo {
  return {
    initiated_at: { timestamp: javascriptDateString(epochMs) },
    referer: 'https://shop.example.com/help',
    widget_language: 'en',
    browser_language: 'en',
    browser: { ...BROWSER },
  };
}
