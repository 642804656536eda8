import { RETURN_DOCUMENTS } from "./graphql-return-documents.js";

/**
 * Every GraphQL document Switchyard sends to the Shopify Admin API, in one place, so a single
 * test can validate all of them against the published 2026-04 schema (and the sandbox does the
 * same on every request). Page sizes are variables, so the caller can keep a page's requested
 * cost under the bucket without editing a document.
 */

/** Money always read as shop money: the ledger is in the shop's currency, not the buyer's. */
const SHOP_MONEY = /* GraphQL */ `shopMoney { amount currencyCode }`;

export const LOCATIONS_QUERY = /* GraphQL */ `
  query SwitchyardLocations($first: Int!, $after: String) {
    locations(first: $first, after: $after, sortKey: ID, includeLegacy: false) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        name
        isActive
        fulfillsOnlineOrders
        shipsInventory
        address {
          address1
          address2
          city
          provinceCode
          zip
          countryCode
          phone
          latitude
          longitude
        }
      }
    }
    locationsCount { count precision }
  }
`;

/**
 * Variants by search (`product_id:123`): fetches the rest of a product whose variants did not
 * fit in the nested page of PRODUCTS_QUERY (Shopify allows 2048 variants per product).
 */
export const PRODUCT_VARIANTS_QUERY = /* GraphQL */ `
  query SwitchyardProductVariants($first: Int!, $after: String, $query: String) {
    productVariants(first: $first, after: $after, query: $query, sortKey: ID) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        sku
        title
        price
        inventoryItem { id tracked }
        product { id title status }
      }
    }
  }
`;

/**
 * The catalogue import: products with a first page of their variants nested, so a typical
 * catalogue needs one request per page of products; the few products with more variants are
 * completed with PRODUCT_VARIANTS_QUERY.
 */
export const PRODUCTS_QUERY = /* GraphQL */ `
  query SwitchyardProducts($first: Int!, $after: String, $variantsFirst: Int!) {
    products(first: $first, after: $after, sortKey: ID) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        title
        status
        variants(first: $variantsFirst) {
          pageInfo { hasNextPage endCursor }
          nodes {
            id
            sku
            title
            price
            inventoryItem { id tracked }
          }
        }
      }
    }
    productsCount { count precision }
  }
`;

/** Decides between paging and a bulk operation before the catalogue is read. */
export const PRODUCTS_COUNT_QUERY = /* GraphQL */ `
  query SwitchyardProductsCount {
    productsCount(limit: null) { count precision }
  }
`;

/**
 * Large catalogues: one bulk operation instead of thousands of paged requests. The inner query
 * is sent as a string argument, so it is exported too and validated like the others.
 */
export const BULK_PRODUCTS_INNER_QUERY = /* GraphQL */ `
  {
    products {
      edges {
        node {
          id
          title
          status
          variants {
            edges {
              node {
                id
                sku
                title
                price
                inventoryItem { id tracked }
              }
            }
          }
        }
      }
    }
  }
`;

export const BULK_OPERATION_RUN_QUERY_MUTATION = /* GraphQL */ `
  mutation SwitchyardBulkRunQuery($query: String!) {
    bulkOperationRunQuery(query: $query) {
      bulkOperation { id status }
      userErrors { field message code }
    }
  }
`;

export const BULK_OPERATION_STATUS_QUERY = /* GraphQL */ `
  query SwitchyardBulkOperationStatus($id: ID!) {
    bulkOperation(id: $id) {
      id
      status
      errorCode
      objectCount
      rootObjectCount
      url
      partialDataUrl
      completedAt
    }
  }
`;

/** Levels are read per location: that is how the ledger keys balances (item x location). */
export const LOCATION_INVENTORY_LEVELS_QUERY = /* GraphQL */ `
  query SwitchyardLocationInventoryLevels($locationId: ID!, $first: Int!, $after: String) {
    location(id: $locationId) {
      id
      inventoryLevels(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id
          item { id sku }
          quantities(names: ["available", "on_hand", "committed"]) { name quantity }
        }
      }
    }
  }
`;

/** Everything a unified order line needs: per-line discounts and taxes, in shop money. */
const LINE_ITEM_FRAGMENT = /* GraphQL */ `
  fragment SwitchyardLineItem on LineItem {
    id
    sku
    title
    quantity
    currentQuantity
    unfulfilledQuantity
    requiresShipping
    isGiftCard
    variant { id }
    originalUnitPriceSet { ${SHOP_MONEY} }
    discountAllocations { allocatedAmountSet { ${SHOP_MONEY} } }
    taxLines { priceSet { ${SHOP_MONEY} } }
  }
`;

/**
 * Orders updated since a point in time (the `query` search string carries `updated_at:>...`),
 * oldest change first so the cursor only ever moves forward.
 */
export const ORDERS_QUERY = /* GraphQL */ `
  query SwitchyardOrders($first: Int!, $after: String, $query: String, $lineItemsFirst: Int!) {
    orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        name
        createdAt
        updatedAt
        cancelledAt
        currencyCode
        displayFinancialStatus
        displayFulfillmentStatus
        email
        phone
        note
        tags
        customer {
          id
          displayName
          defaultEmailAddress { emailAddress }
          defaultPhoneNumber { phoneNumber }
        }
        shippingAddress { ...SwitchyardMailingAddress }
        billingAddress { ...SwitchyardMailingAddress }
        lineItems(first: $lineItemsFirst) {
          pageInfo { hasNextPage endCursor }
          nodes { ...SwitchyardLineItem }
        }
        shippingLines(first: 5) {
          nodes {
            title
            code
            originalPriceSet { ${SHOP_MONEY} }
          }
        }
        subtotalPriceSet { ${SHOP_MONEY} }
        totalShippingPriceSet { ${SHOP_MONEY} }
        totalTaxSet { ${SHOP_MONEY} }
        totalDiscountsSet { ${SHOP_MONEY} }
        totalPriceSet { ${SHOP_MONEY} }
        risk {
          assessments {
            riskLevel
            facts { description sentiment }
          }
        }
      }
    }
  }

  ${LINE_ITEM_FRAGMENT}

  fragment SwitchyardMailingAddress on MailingAddress {
    name
    firstName
    lastName
    company
    address1
    address2
    city
    provinceCode
    zip
    countryCodeV2
    phone
    latitude
    longitude
  }
`;

/**
 * The rest of the lines of an order too large for the nested page of ORDERS_QUERY; the nested
 * page stays small because its cost multiplies with the orders page size.
 */
export const ORDER_LINE_ITEMS_QUERY = /* GraphQL */ `
  query SwitchyardOrderLineItems($orderId: ID!, $first: Int!, $after: String) {
    order(id: $orderId) {
      id
      lineItems(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { ...SwitchyardLineItem }
      }
    }
  }

  ${LINE_ITEM_FRAGMENT}
`;

export const ORDERS_COUNT_QUERY = /* GraphQL */ `
  query SwitchyardOrdersCount($query: String) {
    ordersCount(query: $query, limit: null) { count precision }
  }
`;

/**
 * Absolute "available" quantities with compare-and-set. 2026-04 makes the idempotency key
 * mandatory and it travels as the `@idempotent(key:)` field directive, not as an argument, so
 * the key is a variable on the operation.
 */
export const INVENTORY_SET_QUANTITIES_MUTATION = /* GraphQL */ `
  mutation SwitchyardInventorySetQuantities($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) {
    inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {
      inventoryAdjustmentGroup {
        id
        reason
        referenceDocumentUri
        changes { name delta quantityAfterChange item { id } location { id } }
      }
      userErrors { field message code }
    }
  }
`;

/**
 * Sized to stay under the 1000-point cap (5 x 50 lines is about 530); pageInfo lets the
 * connector refuse an order that does not fit rather than fulfil part of it by accident.
 * Existing fulfillments are read too: fulfillmentCreate takes no idempotency key, so a
 * repeated confirmation is recognised by its tracking number instead.
 */
export const ORDER_FULFILLMENT_ORDERS_QUERY = /* GraphQL */ `
  query SwitchyardOrderFulfillmentOrders($orderId: ID!) {
    order(id: $orderId) {
      id
      cancelledAt
      fulfillments(first: 20) {
        id
        status
        trackingInfo(first: 5) { company number }
      }
      fulfillmentOrders(first: 5) {
        pageInfo { hasNextPage }
        nodes {
          id
          status
          assignedLocation { name location { id } }
          lineItems(first: 50) {
            pageInfo { hasNextPage }
            nodes {
              id
              sku
              remainingQuantity
              totalQuantity
              lineItem { id }
            }
          }
        }
      }
    }
  }
`;

/** Re-assigns fulfillment order lines to the location Switchyard routed them to (before fulfilling). */
export const FULFILLMENT_ORDER_MOVE_MUTATION = /* GraphQL */ `
  mutation SwitchyardFulfillmentOrderMove($id: ID!, $newLocationId: ID!, $fulfillmentOrderLineItems: [FulfillmentOrderLineItemInput!]) {
    fulfillmentOrderMove(id: $id, newLocationId: $newLocationId, fulfillmentOrderLineItems: $fulfillmentOrderLineItems) {
      movedFulfillmentOrder { id status assignedLocation { location { id } } }
      originalFulfillmentOrder { id status }
      userErrors { field message code }
    }
  }
`;

export const FULFILLMENT_CREATE_MUTATION = /* GraphQL */ `
  mutation SwitchyardFulfillmentCreate($fulfillment: FulfillmentInput!, $message: String) {
    fulfillmentCreate(fulfillment: $fulfillment, message: $message) {
      fulfillment {
        id
        status
        trackingInfo { company number url }
      }
      userErrors { field message }
    }
  }
`;

/** Read before cancelling, so a repeated cancel is a no-op rather than an error. */
export const ORDER_CANCEL_STATE_QUERY = /* GraphQL */ `
  query SwitchyardOrderCancelState($orderId: ID!) {
    order(id: $orderId) {
      id
      cancelledAt
    }
  }
`;

export const ORDER_CANCEL_MUTATION = /* GraphQL */ `
  mutation SwitchyardOrderCancel(
    $orderId: ID!
    $reason: OrderCancelReason!
    $restock: Boolean!
    $refundMethod: OrderCancelRefundMethodInput
    $notifyCustomer: Boolean
    $staffNote: String
  ) {
    orderCancel(
      orderId: $orderId
      reason: $reason
      restock: $restock
      refundMethod: $refundMethod
      notifyCustomer: $notifyCustomer
      staffNote: $staffNote
    ) {
      job { id done }
      orderCancelUserErrors { field message code }
    }
  }
`;

/** Named list for the schema test and the sandbox log; keep every exported document here. */
export const ALL_DOCUMENTS: Readonly<Record<string, string>> = {
  ...RETURN_DOCUMENTS,
  LOCATIONS_QUERY,
  PRODUCT_VARIANTS_QUERY,
  PRODUCTS_QUERY,
  PRODUCTS_COUNT_QUERY,
  BULK_PRODUCTS_INNER_QUERY,
  BULK_OPERATION_RUN_QUERY_MUTATION,
  BULK_OPERATION_STATUS_QUERY,
  LOCATION_INVENTORY_LEVELS_QUERY,
  ORDERS_QUERY,
  ORDER_LINE_ITEMS_QUERY,
  ORDERS_COUNT_QUERY,
  INVENTORY_SET_QUANTITIES_MUTATION,
  ORDER_FULFILLMENT_ORDERS_QUERY,
  FULFILLMENT_CREATE_MUTATION,
  FULFILLMENT_ORDER_MOVE_MUTATION,
  ORDER_CANCEL_STATE_QUERY,
  ORDER_CANCEL_MUTATION,
};
