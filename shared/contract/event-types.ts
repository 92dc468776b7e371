import * as z from 'zod';
import {
  ConsentCategory,
  ConsentStatus,
  Count,
  Currency,
  EmailAddress,
  Id,
  IsoDateTime,
  KeyLabel,
  Label,
  LineItems,
  Money,
  Seconds,
  Text,
  TimeZone,
  UrlOrPath,
  personal,
} from './primitives.ts';

/**
 * The catalog of behavior event types and the schema of each one's `properties`.
 *
 * Every schema is a loose object: the listed properties are typed and checked, any other property
 * passes through unchanged so producers can add their own attributes. What is required per type is
 * what a rule or the profile really needs; events/README.md lists the choices.
 */
export const CATALOG_EVENT_TYPES = [
  'identify',
  'subscribe',
  'unsubscribe',
  'page_view',
  'product_view',
  'search',
  'cart_add',
  'cart_abandon',
  'checkout_start',
  'purchase',
  'refund',
  'email_open',
  'email_click',
  'email_reply',
  'form_submit',
  'download',
  'video_watch',
  'support_ticket',
  'support_rating',
  'nps_response',
  'referral',
  'social_mention',
  'social_share',
  'app_session',
  'feature_used',
  'subscription_change',
  'subscription_cancel',
] as const;
export type CatalogEventType = (typeof CATALOG_EVENT_TYPES)[number];

const CATALOG_EVENT_TYPE_SET: ReadonlySet<string> = new Set(CATALOG_EVENT_TYPES);

export function isCatalogEventType(type: string): type is CatalogEventType {
  return CATALOG_EVENT_TYPE_SET.has(type);
}

const Categories = z.array(ConsentCategory).min(1).max(20);

// --- identity and consent -------------------------------------------------------------------

export const IdentifyProperties = z
  .looseObject({
    email: personal(EmailAddress.optional(), 'Email address (may also be sent as detail.email)'),
    firstName: personal(Label.optional(), 'First name, used to personalise emails'),
    lastName: personal(Label.optional(), 'Last name'),
    timezone: TimeZone.optional().describe('IANA time zone, e.g. Europe/Berlin'),
    preferredContactTime: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:MM (24 h), e.g. 09:30')
      .optional()
      .describe("When the customer prefers to be emailed, local HH:MM (24 h) in their time zone; Nudge sends at that hour (document 000's optimal send time)"),
    consent: z
      .record(ConsentCategory, ConsentStatus)
      .optional()
      .describe('Consent per category, e.g. {"marketing": "subscribed"}'),
  })
  .describe('Who the customer is: contact details, name, time zone, consent and any attributes');
export type IdentifyProperties = z.infer<typeof IdentifyProperties>;

export const SubscribeProperties = z
  .looseObject({
    email: personal(EmailAddress.optional(), 'Email address; required here unless detail.email is set'),
    source: Label.optional().describe('Where the subscription came from, e.g. newsletter_signup'),
    categories: Categories.optional().describe('Consent categories subscribed to (default: marketing)'),
  })
  .describe('Opt-in to email; needs an email at detail.email or properties.email');
export type SubscribeProperties = z.infer<typeof SubscribeProperties>;

export const UnsubscribeProperties = z
  .looseObject({
    categories: Categories.optional().describe('Categories unsubscribed from (default: marketing)'),
    reason: personal(Text.optional(), 'Reason given by the customer'),
    sendId: Id.optional().describe('The send whose unsubscribe link was used'),
  })
  .describe('Opt-out of email');
export type UnsubscribeProperties = z.infer<typeof UnsubscribeProperties>;

// --- browsing ---------------------------------------------------------------------------------

export const PageViewProperties = z
  .looseObject({
    url: UrlOrPath.describe('URL or app path of the page'),
    title: Text.optional().describe('Page title'),
    pageType: KeyLabel.optional().describe('Kind of page, e.g. pricing, product, feature, docs'),
    category: KeyLabel.optional().describe('Content or product category'),
    productId: Id.optional().describe('Product shown on the page'),
    durationSeconds: Seconds.optional().describe('Time spent on the page'),
    referrer: UrlOrPath.optional().describe('Referring URL'),
  })
  .describe('A page was viewed');
export type PageViewProperties = z.infer<typeof PageViewProperties>;

export const ProductViewProperties = z
  .looseObject({
    productId: Id.describe('Product id (SKU)'),
    name: Text.min(1).optional().describe('Product name'),
    category: KeyLabel.optional().describe('Product category'),
    price: Money.optional().describe('Price shown, >= 0'),
    currency: Currency.optional().describe('ISO 4217 code, upper case'),
    url: UrlOrPath.optional().describe('URL or app path of the product page'),
    pageType: KeyLabel.optional().describe('Kind of page, usually product'),
    durationSeconds: Seconds.optional().describe('Time spent on the page'),
  })
  .describe('A product was viewed');
export type ProductViewProperties = z.infer<typeof ProductViewProperties>;

export const SearchProperties = z
  .looseObject({
    query: z.string().min(1).max(500).describe('The search terms'),
    resultCount: Count.optional().describe('Number of results shown'),
    category: KeyLabel.optional().describe('Category searched in'),
  })
  .describe('A search was run');
export type SearchProperties = z.infer<typeof SearchProperties>;

// --- commerce ---------------------------------------------------------------------------------

/** cart_add and cart_abandon: the state of the whole cart after the change. */
export const CartProperties = z
  .looseObject({
    cartValue: Money.describe('Total value of the cart, >= 0'),
    currency: Currency.optional().describe('ISO 4217 code, upper case'),
    items: LineItems.optional().describe('Cart lines (at most 100)'),
    cartId: Id.optional().describe('Cart id'),
  })
  .describe('The cart after the change: its value and lines');
export type CartProperties = z.infer<typeof CartProperties>;

/** checkout_start: the cart as it enters checkout (its value may be unknown yet) and the checkout id. */
export const CheckoutStartProperties = CartProperties.partial({ cartValue: true })
  .extend({ checkoutId: Id.optional().describe('Checkout id') })
  .describe('Checkout was started');
export type CheckoutStartProperties = z.infer<typeof CheckoutStartProperties>;

export const PurchaseProperties = z
  .looseObject({
    orderId: Id.describe('Order id'),
    amount: Money.describe('Amount paid, >= 0'),
    currency: Currency.optional().describe('ISO 4217 code, upper case'),
    items: LineItems.optional().describe('Order lines (at most 100)'),
  })
  .describe('An order was placed');
export type PurchaseProperties = z.infer<typeof PurchaseProperties>;

export const RefundProperties = z
  .looseObject({
    orderId: Id.describe('Order id'),
    amount: Money.describe('Amount refunded, >= 0'),
    currency: Currency.optional().describe('ISO 4217 code, upper case'),
    items: LineItems.optional().describe('Refunded lines (at most 100)'),
    reason: personal(Text.optional(), 'Refund reason'),
  })
  .describe('An order was (partly) refunded');
export type RefundProperties = z.infer<typeof RefundProperties>;

// --- email engagement -------------------------------------------------------------------------

export const EmailEngagementProperties = z
  .looseObject({
    sendId: Id.describe('The send (from the send ledger) the engagement belongs to'),
    ruleId: Id.optional().describe('The rule that caused the send'),
  })
  .describe('Engagement with an email Nudge sent');
export type EmailEngagementProperties = z.infer<typeof EmailEngagementProperties>;

export const EmailClickProperties = EmailEngagementProperties.extend({
  url: UrlOrPath.describe('The link that was clicked'),
  category: KeyLabel.optional().describe("Content category of the clicked link (the link's data-category in the template)"),
}).describe('A link in an email Nudge sent was clicked');
export type EmailClickProperties = z.infer<typeof EmailClickProperties>;

// --- content ----------------------------------------------------------------------------------

export const FormSubmitProperties = z
  .looseObject({
    formId: Id.describe('Form id'),
    formName: Text.min(1).optional().describe('Form name'),
    url: UrlOrPath.optional().describe('Page the form was on'),
  })
  .describe('A form was submitted');
export type FormSubmitProperties = z.infer<typeof FormSubmitProperties>;

export const DownloadProperties = z
  .looseObject({
    assetId: Id.describe('Id of the downloaded asset'),
    name: Text.min(1).optional().describe('Asset name'),
    fileType: Label.optional().describe('File type, e.g. pdf'),
    url: UrlOrPath.optional().describe('Download URL'),
  })
  .describe('An asset was downloaded');
export type DownloadProperties = z.infer<typeof DownloadProperties>;

export const VideoWatchProperties = z
  .looseObject({
    videoId: Id.describe('Video id'),
    title: Text.optional().describe('Video title'),
    watchedSeconds: Seconds.optional().describe('Seconds watched'),
    durationSeconds: Seconds.optional().describe('Length of the video'),
    percentWatched: z.number().min(0).max(100).optional().describe('Share watched, 0..100'),
  })
  .describe('A video was watched');
export type VideoWatchProperties = z.infer<typeof VideoWatchProperties>;

// --- support and feedback ---------------------------------------------------------------------

export const SupportTicketStatus = z.enum(['open', 'pending', 'solved', 'closed']);
export type SupportTicketStatus = z.infer<typeof SupportTicketStatus>;

export const SupportTicketProperties = z
  .looseObject({
    ticketId: Id.describe('Ticket id'),
    status: SupportTicketStatus.describe('Ticket status after the change'),
    priority: z.enum(['low', 'normal', 'high', 'urgent']).optional().describe('Ticket priority'),
    subject: personal(Text.optional(), 'Ticket subject'),
    category: KeyLabel.optional().describe('Ticket category'),
  })
  .describe('A support ticket was opened or changed status');
export type SupportTicketProperties = z.infer<typeof SupportTicketProperties>;

export const SupportRatingProperties = z
  .looseObject({
    rating: z.number().int().min(1).max(10).describe('Rating, a whole number 1..scale'),
    scale: z.literal([5, 10]).optional().describe('Top of the rating scale: 5 or 10 (default 10)'),
    ticketId: Id.optional().describe('The rated ticket'),
    comment: personal(Text.optional(), 'Comment'),
  })
  .superRefine((value, ctx) => {
    const scale = value.scale ?? 10;
    if (value.rating > scale) {
      ctx.addIssue({ code: 'custom', path: ['rating'], message: `must be at most ${scale} on a 1-${scale} scale` });
    }
  })
  .meta({
    // JSON Schema twin of the refinement above: on a 5-point scale the rating is at most 5.
    if: { properties: { scale: { const: 5 } }, required: ['scale'] },
    then: { properties: { rating: { maximum: 5 } } },
  })
  .describe('A support interaction was rated (1-10, or 1-5 with scale 5)');
export type SupportRatingProperties = z.infer<typeof SupportRatingProperties>;

export const NpsResponseProperties = z
  .looseObject({
    score: z.number().int().min(0).max(10).describe('Net Promoter score, a whole number 0..10'),
    comment: personal(Text.optional(), 'Comment'),
    surveyId: Id.optional().describe('Survey id'),
  })
  .describe('An NPS survey was answered');
export type NpsResponseProperties = z.infer<typeof NpsResponseProperties>;

// --- social and referral ----------------------------------------------------------------------

export const ReferralProperties = z
  .looseObject({
    referralCode: Id.optional().describe('Referral code used'),
    referredEmail: personal(EmailAddress.optional(), 'Email of the referred person'),
    referredCustomerId: Id.optional().describe('Customer id of the referred person'),
    channel: Label.optional().describe('How the referral was shared, e.g. email, link'),
  })
  .describe('The customer referred someone');
export type ReferralProperties = z.infer<typeof ReferralProperties>;

export const SocialMentionProperties = z
  .looseObject({
    platform: Label.describe('Social platform, e.g. instagram'),
    url: UrlOrPath.optional().describe('Link to the mention'),
    sentiment: z.enum(['positive', 'neutral', 'negative']).optional().describe('Sentiment of the mention'),
    text: personal(Text.optional(), 'Text of the mention'),
  })
  .describe('The customer mentioned the brand on a social platform');
export type SocialMentionProperties = z.infer<typeof SocialMentionProperties>;

export const SocialShareProperties = z
  .looseObject({
    platform: Label.describe('Social platform, e.g. facebook'),
    url: UrlOrPath.optional().describe('Shared URL'),
    contentId: Id.optional().describe('Id of the shared product or content'),
  })
  .describe('The customer shared content on a social platform');
export type SocialShareProperties = z.infer<typeof SocialShareProperties>;

// --- product usage and subscriptions ----------------------------------------------------------

export const AppSessionProperties = z
  .looseObject({
    durationSeconds: Seconds.optional().describe('Session length'),
    platform: Label.optional().describe('Platform, e.g. ios, android, web'),
    appVersion: Label.optional().describe('App version'),
    screenCount: Count.optional().describe('Screens viewed in the session'),
  })
  .describe('An app session');
export type AppSessionProperties = z.infer<typeof AppSessionProperties>;

export const FeatureUsedProperties = z
  .looseObject({
    feature: Label.describe('Feature name, e.g. export_csv'),
    count: Count.min(1).optional().describe('Times used, a whole number >= 1'),
  })
  .describe('A product feature was used');
export type FeatureUsedProperties = z.infer<typeof FeatureUsedProperties>;

export const SubscriptionChangeProperties = z
  .looseObject({
    plan: Label.describe('Plan after the change'),
    previousPlan: Label.optional().describe('Plan before the change'),
    changeType: z.enum(['upgrade', 'downgrade', 'renewal', 'other']).optional().describe('Kind of change'),
    mrr: Money.optional().describe('Monthly recurring revenue after the change, >= 0'),
    currency: Currency.optional().describe('ISO 4217 code, upper case'),
  })
  .describe('A paid subscription changed plan');
export type SubscriptionChangeProperties = z.infer<typeof SubscriptionChangeProperties>;

export const SubscriptionCancelProperties = z
  .looseObject({
    plan: Label.optional().describe('Plan cancelled'),
    reason: Text.optional().describe('Reason given'),
    effectiveAt: IsoDateTime.optional().describe('When the cancellation takes effect (ISO-8601 with offset)'),
  })
  .describe('A paid subscription was cancelled');
export type SubscriptionCancelProperties = z.infer<typeof SubscriptionCancelProperties>;

/** The `properties` schema of each catalog type. */
export const catalogPropertySchemas = {
  identify: IdentifyProperties,
  subscribe: SubscribeProperties,
  unsubscribe: UnsubscribeProperties,
  page_view: PageViewProperties,
  product_view: ProductViewProperties,
  search: SearchProperties,
  cart_add: CartProperties,
  cart_abandon: CartProperties,
  checkout_start: CheckoutStartProperties,
  purchase: PurchaseProperties,
  refund: RefundProperties,
  email_open: EmailEngagementProperties,
  email_click: EmailClickProperties,
  email_reply: EmailEngagementProperties,
  form_submit: FormSubmitProperties,
  download: DownloadProperties,
  video_watch: VideoWatchProperties,
  support_ticket: SupportTicketProperties,
  support_rating: SupportRatingProperties,
  nps_response: NpsResponseProperties,
  referral: ReferralProperties,
  social_mention: SocialMentionProperties,
  social_share: SocialShareProperties,
  app_session: AppSessionProperties,
  feature_used: FeatureUsedProperties,
  subscription_change: SubscriptionChangeProperties,
  subscription_cancel: SubscriptionCancelProperties,
} as const satisfies Record<CatalogEventType, z.ZodType<Record<string, unknown>>>;

/** Properties of a custom (non-catalog) event: any JSON object, bounded only by the size guards. */
export const CustomEventProperties = z
  .record(z.string(), z.unknown())
  .describe('Any JSON object (bounded by the size guards)');
export type CustomEventProperties = z.infer<typeof CustomEventProperties>;
